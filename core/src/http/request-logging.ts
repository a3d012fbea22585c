import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { Logger } from '@omni/plugin-sdk';
import { requestContext } from '../logger.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Whether the logger writes info lines (pino's `isLevelEnabled`; a logger without it is assumed to). */
const logsInfo = (logger: Logger) => (logger as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled?.('info') ?? true;

/**
 * Gives each request an id (the caller's `x-request-id` when sane), echoes it, and logs the outcome.
 *
 * When requests are logged (LOG_LEVEL info or more verbose), every line written while serving one
 * carries its id (`reqId`), plugin lines included, through an AsyncLocalStorage. Quieter levels
 * skip that: on Node 20 an active AsyncLocalStorage makes every promise in the process pay a hook
 * (the pipeline benchmark ran ~10 % slower at concurrency 1 with it), and at warn the request
 * lines it exists for are not written anyway. Errors answered 500 name their request id either way.
 */
export function requestLogging(logger: Logger) {
  const tagLines = logsInfo(logger);
  return async (ctx: Context, next: Next) => {
    const incoming = ctx.get('x-request-id');
    const requestId = REQUEST_ID.test(incoming) ? incoming : randomUUID();
    ctx.set('x-request-id', requestId);
    ctx.state.requestId = requestId;
    if (!tagLines) return next();
    const started = performance.now();
    await requestContext.run({ requestId }, async () => {
      try {
        await next();
      } finally {
        const ms = Math.round((performance.now() - started) * 10) / 10;
        logger.info({ method: ctx.method, path: ctx.path, status: ctx.status, ms }, 'request');
      }
    });
  };
}
