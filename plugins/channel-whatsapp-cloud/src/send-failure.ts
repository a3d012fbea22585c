import type { SendResult } from '@omni/plugin-sdk';
import { GraphApiError, GraphUnreachableError } from './graph-client.js';
import { OutboundMediaError } from './outbound-media.js';

type SendFailure = Extract<SendResult, { ok: false }>;

/** Meta's codes for "wait and try again": throughput (130429), pair rate (131056), app and account limits. */
const RATE_LIMIT_CODES = new Set([4, 80007, 130429, 131056]);
/** Without a Retry-After header, how long to wait after a rate limit. */
export const DEFAULT_RATE_LIMIT_RETRY_MS = 6_000;
export const OUTSIDE_WINDOW_CODE = 131047;
export const INVALID_TOKEN_CODE = 190;

export const outsideWindowFailure = (message: string): SendFailure => ({ ok: false, error: { code: 'OUTSIDE_MESSAGING_WINDOW', message, retryable: false } });

const withDetails = (err: GraphApiError) => {
  const code = err.code === undefined ? `HTTP ${err.status}` : `code ${err.code}`;
  return `${err.message}${err.details ? ` (${err.details})` : ''} [${code}]`;
};

/** Turns a Graph API failure into a failed send carrying Meta's reason; never throws. */
export function sendFailureOf(err: unknown): SendFailure {
  if (err instanceof GraphUnreachableError) return { ok: false, error: { code: err.timedOut ? 'TIMEOUT' : 'NETWORK_ERROR', message: err.message, retryable: true } };
  if (err instanceof OutboundMediaError) return { ok: false, error: { code: 'INVALID_MEDIA', message: err.message, retryable: false } };
  if (!(err instanceof GraphApiError)) return { ok: false, error: { code: 'ADAPTER_ERROR', message: err instanceof Error ? err.message : String(err), retryable: false } };
  if (err.code === OUTSIDE_WINDOW_CODE) {
    return outsideWindowFailure(`outside the 24-hour customer service window: only approved templates can be sent until the customer writes again. Meta: ${withDetails(err)}`);
  }
  if (err.status === 429 || (err.code !== undefined && RATE_LIMIT_CODES.has(err.code))) {
    return { ok: false, error: { code: 'RATE_LIMITED', message: `Meta rate limit: ${withDetails(err)}`, retryable: true, retryAfterMs: err.retryAfterMs ?? DEFAULT_RATE_LIMIT_RETRY_MS } };
  }
  if (err.code === INVALID_TOKEN_CODE || err.status === 401) return { ok: false, error: { code: 'AUTH_FAILED', message: `Meta refused the access token: ${withDetails(err)}`, retryable: false } };
  if (err.status >= 500) return { ok: false, error: { code: 'PLATFORM_ERROR', message: withDetails(err), retryable: true } };
  return { ok: false, error: { code: err.code === undefined ? `HTTP_${err.status}` : `GRAPH_${err.code}`, message: withDetails(err), retryable: false } };
}
