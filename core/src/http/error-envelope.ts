import type { Context, Next } from 'koa';
import { z } from 'zod';
import { isOmniError, type OmniErrorCode } from '@omni/plugin-sdk';
import type { Logger } from '@omni/plugin-sdk';

export interface ErrorEnvelope {
  error: { code: string; message: string; details?: unknown };
}

export const errorEnvelopeSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

const CODE_BY_STATUS: Record<number, OmniErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'CAPABILITY_NOT_SUPPORTED',
  429: 'RATE_LIMITED',
  501: 'METHOD_NOT_ALLOWED',
  503: 'SERVICE_UNAVAILABLE',
};

/** Turns any error into the envelope `{error:{code,message,details}}`. 5xx messages never leak internals. */
export function toEnvelope(err: unknown): { status: number; body: ErrorEnvelope } {
  if (isOmniError(err)) {
    return { status: err.status, body: { error: { code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) } } };
  }
  const status = (err as { status?: unknown; statusCode?: unknown }).status ?? (err as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const expose = (err as { expose?: boolean }).expose !== false;
    const message = expose && err instanceof Error ? err.message : 'bad request';
    return { status, body: { error: { code: CODE_BY_STATUS[status] ?? 'BAD_REQUEST', message } } };
  }
  return { status: 500, body: { error: { code: 'INTERNAL_ERROR', message: 'internal error' } } };
}

export function errorEnvelope(logger: Logger) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
      // Answers without a body (no route, wrong method) get the envelope too.
      if (ctx.status >= 400 && (ctx.body === undefined || ctx.body === null)) {
        const status = ctx.status;
        const message = status === 404 ? `no route for ${ctx.method} ${ctx.path}` : status === 405 ? `${ctx.method} is not allowed here; allowed: ${ctx.response.get('Allow')}` : `request failed with ${status}`;
        ctx.body = { error: { code: CODE_BY_STATUS[status] ?? 'BAD_REQUEST', message } } satisfies ErrorEnvelope;
        ctx.status = status;
      }
    } catch (err) {
      const { status, body } = toEnvelope(err);
      if (status >= 500) logger.error({ err, method: ctx.method, path: ctx.path, reqId: ctx.state.requestId }, 'request failed');
      else logger.debug({ code: body.error.code, method: ctx.method, path: ctx.path }, 'request refused');
      ctx.status = status;
      ctx.body = body;
    }
  };
}
