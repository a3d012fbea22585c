import { randomBytes } from 'node:crypto';

/** The body of every Graph API error, as Meta sends it. */
export interface GraphErrorBody {
  error: {
    message: string;
    type: string;
    code: number;
    error_subcode?: number;
    error_data?: { messaging_product: 'whatsapp'; details: string };
    fbtrace_id: string;
  };
}

/** A Graph API error answer: HTTP status, Meta's error body and any headers. */
export interface GraphErrorResponse {
  status: number;
  body: GraphErrorBody;
  headers?: Record<string, string>;
}

/** Failures a test can make the fake answer to the next `POST /{phone_number_id}/messages`. */
export type GraphFailure =
  /** 131047: more than 24 hours since the customer last wrote (only templates may be sent). */
  | { kind: 'outside-window' }
  /** 130429: Cloud API throughput reached. HTTP 429, with `Retry-After` when given. */
  | { kind: 'rate-limit'; retryAfterSeconds?: number }
  /** 190: the access token expired or was revoked. */
  | { kind: 'invalid-token' }
  /** HTTP 500, code 2: a transient problem on Meta's side. */
  | { kind: 'server-error' };

const traceId = () => `A${randomBytes(9).toString('base64url')}`;

const whatsappError = (status: number, code: number, message: string, details?: string, type = 'OAuthException'): GraphErrorResponse => ({
  status,
  body: {
    error: {
      message,
      type,
      code,
      ...(details === undefined ? {} : { error_data: { messaging_product: 'whatsapp' as const, details } }),
      fbtrace_id: traceId(),
    },
  },
});

/** Meta's error answers, with the codes and texts the Graph API uses. */
export const graphErrors = {
  invalidToken: () => whatsappError(401, 190, 'Invalid OAuth access token - Cannot parse access token'),
  outsideWindow: () =>
    whatsappError(400, 131047, '(#131047) Re-engagement message', 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.'),
  rateLimit: (retryAfterSeconds?: number): GraphErrorResponse => ({
    ...whatsappError(429, 130429, '(#130429) Rate limit hit', 'Cloud API message throughput has been reached.'),
    ...(retryAfterSeconds === undefined ? {} : { headers: { 'retry-after': String(retryAfterSeconds) } }),
  }),
  serverError: () => whatsappError(500, 2, 'Service temporarily unavailable'),
  invalidParameter: (details: string) => whatsappError(400, 100, '(#100) Invalid parameter', details),
  unsupportedRequest: (method: string, path: string) =>
    whatsappError(400, 100, `Unsupported ${method.toLowerCase()} request. Object with ID '${path.split('/').pop()}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, undefined, 'GraphMethodException'),
  failure: (failure: GraphFailure): GraphErrorResponse => {
    switch (failure.kind) {
      case 'outside-window':
        return graphErrors.outsideWindow();
      case 'rate-limit':
        return graphErrors.rateLimit(failure.retryAfterSeconds);
      case 'invalid-token':
        return graphErrors.invalidToken();
      case 'server-error':
        return graphErrors.serverError();
    }
  },
};
