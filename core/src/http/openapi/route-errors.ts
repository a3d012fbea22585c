import type { HttpMethod, RouteDefinition } from '../route.js';

/** One error answer a route can give, in the envelope `{error:{code,message,details}}`. */
export interface ErrorResponseSpec {
  status: number;
  /** The component name under `components.responses`. */
  component: string;
  codes: readonly string[];
  description: string;
}

/** Every error answer the API gives, by status. Codes and meanings follow seed 003 and `OmniError`. */
export const ERROR_RESPONSES = {
  400: { status: 400, component: 'BadRequest', codes: ['VALIDATION_ERROR', 'BAD_REQUEST'], description: 'Invalid input: `VALIDATION_ERROR` with one detail per field (`in`, `path`, `message`), or `BAD_REQUEST` for malformed JSON' },
  401: { status: 401, component: 'Unauthorized', codes: ['UNAUTHORIZED'], description: 'No API key, or an unknown, revoked or expired one' },
  403: { status: 403, component: 'Forbidden', codes: ['FORBIDDEN'], description: 'The API key lacks the scope this operation needs (or is restricted to instances this operation spans); internal routes answer it to any non-loopback caller' },
  404: { status: 404, component: 'NotFound', codes: ['NOT_FOUND'], description: 'No such resource (or one the API key is not allowed to see)' },
  409: { status: 409, component: 'Conflict', codes: ['CONFLICT'], description: 'Conflicts with existing state (a taken name, or a request with the same `Idempotency-Key` still running)' },
  413: { status: 413, component: 'PayloadTooLarge', codes: ['PAYLOAD_TOO_LARGE'], description: 'The request body exceeds the configured limit (`OMNI_BODY_LIMIT`)' },
  415: { status: 415, component: 'UnsupportedMediaType', codes: ['UNSUPPORTED_MEDIA_TYPE'], description: 'The body is not `application/json`' },
  422: { status: 422, component: 'Unprocessable', codes: ['CAPABILITY_NOT_SUPPORTED'], description: 'The channel or provider cannot do this (`CAPABILITY_NOT_SUPPORTED`), or an `Idempotency-Key` was reused with another body' },
  429: { status: 429, component: 'RateLimited', codes: ['RATE_LIMITED'], description: 'Too many requests for this API key (or, without a key, this address); retry after `Retry-After` seconds' },
  500: { status: 500, component: 'InternalError', codes: ['INTERNAL_ERROR', 'PLUGIN_ERROR'], description: 'Unexpected failure; the message never carries internals' },
  502: { status: 502, component: 'PlatformError', codes: ['PLATFORM_ERROR'], description: "The platform refused the message; `details` has its code, whether it is retryable and when to retry" },
} as const satisfies Record<number, ErrorResponseSpec>;

export type ErrorStatus = keyof typeof ERROR_RESPONSES;

/** Rate limits apply to every route but the internal API and those that opt out (platform webhooks). */
export const isRateLimited = (route: RouteDefinition) => !route.internal && route.rateLimited !== false;

/** Routes answered by an optional feature of the channel (or provider) plugin, which may lack it or fail on the platform. */
const CHANNEL_FEATURE = /\/instances\/(discover|:id\/(qr|profile|validate-recipient|sync)(\/.*)?|.*\/mark-read)$|\/providers\/:id\/agents$/;

const WRITES: ReadonlySet<HttpMethod> = new Set(['post', 'put', 'patch']);

/**
 * The error answers a route can give, read from its definition:
 * - 400 when anything is validated (params, query, body), 413 and 415 when it takes a body;
 * - 401 and 403 unless it is public (API key, scope); 403 alone for the loopback-only internal API;
 * - 429 when it is rate limited (per key, or per address without one);
 * - 404 when the path names a resource (`:id`), or for an instance-restricted key;
 * - 409 for writes with a body (unique names; `Idempotency-Key` in progress);
 * - 422 and 502 for sends and channel features (the plugin may lack the capability, or the platform refuse);
 * - 500 for everything.
 */
export function errorStatusesOf(route: RouteDefinition): ErrorStatus[] {
  const statuses = new Set<number>();
  const hasBody = !('raw' in route) && route.body !== undefined;
  const validated = route.params !== undefined || (!('raw' in route) && (route.query !== undefined || hasBody));
  if (validated) statuses.add(400);
  if (route.internal) statuses.add(403);
  else if (!route.public) [401, 403].forEach((s) => statuses.add(s));
  if (isRateLimited(route)) statuses.add(429);
  if (route.path.includes(':')) statuses.add(404);
  if (hasBody) {
    statuses.add(413);
    statuses.add(415);
    if (WRITES.has(route.method)) statuses.add(409);
  }
  if (route.tags.includes('messages') || CHANNEL_FEATURE.test(route.path)) {
    statuses.add(422);
    statuses.add(502);
  }
  statuses.add(500);
  return [...statuses].sort((a, b) => a - b) as ErrorStatus[];
}
