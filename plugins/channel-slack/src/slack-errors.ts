import { ErrorCode, type WebAPIHTTPError, type WebAPIPlatformError, type WebAPIRateLimitedError, type WebAPIRequestError } from '@slack/web-api';

/** A Slack failure in Omni's terms: the platform's reason, whether a retry can help, and whether the token is dead. */
export interface SlackFailure {
  code: string;
  message: string;
  retryable: boolean;
  retryAfterMs?: number;
  /** The token is invalid or revoked: the instance cannot work until it is replaced. */
  authFailed: boolean;
}

const AUTH_ERRORS = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'not_allowed_token_type', 'no_permission', 'team_access_not_granted']);
const TRANSIENT_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited']);

const codeOf = (err: unknown) => (typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined);

/** Turns anything @slack/web-api throws into a SlackFailure. */
export function describeSlackError(err: unknown): SlackFailure {
  switch (codeOf(err)) {
    case ErrorCode.PlatformError: {
      const data = (err as WebAPIPlatformError).data as { error: string; needed?: string; provided?: string };
      const needed = data.error === 'missing_scope' && data.needed ? ` (needs scope ${data.needed})` : '';
      return {
        code: `SLACK_${data.error.toUpperCase()}`,
        message: `Slack refused the call: ${data.error}${needed}`,
        retryable: TRANSIENT_ERRORS.has(data.error),
        authFailed: AUTH_ERRORS.has(data.error),
      };
    }
    case ErrorCode.RateLimitedError: {
      const seconds = (err as WebAPIRateLimitedError).retryAfter;
      return { code: 'RATE_LIMITED', message: `Slack rate limit: retry after ${seconds} s`, retryable: true, retryAfterMs: seconds * 1000, authFailed: false };
    }
    case ErrorCode.HTTPError: {
      const status = (err as WebAPIHTTPError).statusCode;
      return { code: `HTTP_${status}`, message: `Slack answered HTTP ${status}`, retryable: status >= 500, authFailed: false };
    }
    case ErrorCode.RequestError: {
      const original = (err as WebAPIRequestError).original;
      const timedOut = original?.name === 'TimeoutError' || original?.name === 'AbortError';
      return { code: timedOut ? 'TIMEOUT' : 'NETWORK_ERROR', message: `could not reach Slack: ${original?.message ?? 'request failed'}`, retryable: true, authFailed: false };
    }
    default:
      return { code: 'SLACK_ERROR', message: err instanceof Error ? err.message : String(err), retryable: false, authFailed: false };
  }
}

export const isRateLimited = (err: unknown): err is WebAPIRateLimitedError => codeOf(err) === ErrorCode.RateLimitedError;

/** Slack answered and said no (as opposed to a network, HTTP or rate-limit failure). */
export const isPlatformError = (err: unknown): err is WebAPIPlatformError => codeOf(err) === ErrorCode.PlatformError;
