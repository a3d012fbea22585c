import cors from '@koa/cors';
import type { Context, Middleware } from 'koa';

/**
 * CORS for the origins in `OMNI_CORS_ORIGINS` (`*` for any). Without origins no CORS headers are
 * sent, so browsers on other origins are refused by default.
 */
export function corsFor(origins: readonly string[]): Middleware | undefined {
  if (origins.length === 0) return undefined;
  const any = origins.includes('*');
  return cors({
    origin: (ctx: Context) => {
      const origin = ctx.get('Origin');
      return any || origins.includes(origin) ? origin : '';
    },
    allowHeaders: ['content-type', 'x-api-key', 'authorization', 'idempotency-key', 'x-request-id'],
    exposeHeaders: ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'retry-after', 'x-request-id'],
    maxAge: 600,
  });
}
