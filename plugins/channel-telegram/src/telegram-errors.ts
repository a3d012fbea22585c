import { GrammyError, HttpError } from 'grammy';
import type { SendResult } from '@omni/plugin-sdk';

/** Removes the bot token from any text (grammY's network errors can carry the request URL). */
export function redact(text: string, token: string): string {
  return token ? text.split(token).join('<bot-token>') : text;
}

export const errorText = (err: unknown, token: string) => redact(err instanceof Error ? err.message : String(err), token);

const CODES: Record<number, string> = { 400: 'BAD_REQUEST', 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 409: 'CONFLICT', 429: 'RATE_LIMITED' };

/** The Bot API's answer to a failed call, or undefined for anything that is not one. */
export const apiError = (err: unknown) => (err instanceof GrammyError ? err : undefined);

export const isUnauthorized = (err: unknown) => apiError(err)?.error_code === 401;

/** A short code for a status: `TELEGRAM_<code>` for API errors, `NETWORK_ERROR` when unreachable. */
export function statusCode(err: unknown): string {
  const api = apiError(err);
  if (api) return `TELEGRAM_${api.error_code}`;
  return err instanceof HttpError ? 'NETWORK_ERROR' : 'UPDATE_FAILED';
}

/** Seconds Telegram asks us to wait (429 `parameters.retry_after`). */
export const retryAfterSeconds = (err: unknown) => apiError(err)?.parameters.retry_after;

/** A failed send carrying Telegram's own reason: `FORBIDDEN: Forbidden: bot was blocked by the user`. */
export function sendFailure(err: unknown, token: string): Extract<SendResult, { ok: false }> {
  const api = apiError(err);
  if (api) {
    const retryAfter = api.parameters.retry_after;
    return {
      ok: false,
      error: {
        code: CODES[api.error_code] ?? `TELEGRAM_${api.error_code}`,
        message: redact(api.description, token),
        retryable: api.error_code === 429 || api.error_code >= 500,
        ...(retryAfter !== undefined ? { retryAfterMs: retryAfter * 1000 } : {}),
      },
    };
  }
  if (err instanceof HttpError) return { ok: false, error: { code: 'NETWORK_ERROR', message: `Telegram unreachable: ${errorText(err.error, token)}`, retryable: true } };
  return { ok: false, error: { code: 'SEND_FAILED', message: errorText(err, token), retryable: false } };
}
