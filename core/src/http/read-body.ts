import type { Context, Next } from 'koa';
import getRawBody from 'raw-body';
import { OmniError } from '@omni/plugin-sdk';
import { exceedsJsonDepth, MAX_JSON_DEPTH } from './json-depth.js';

declare module 'koa' {
  interface Request {
    /** The exact bytes received, for signature checks. */
    rawBody?: Buffer;
    body?: unknown;
  }
}

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Reads the body once, keeping the raw bytes. JSON bodies are parsed; malformed JSON is a 400,
 * a body over the limit a 413. Other content types stay raw for the route to judge.
 */
export function readBody(limit: string) {
  return async (ctx: Context, next: Next) => {
    if (WITH_BODY.has(ctx.method) && ctx.request.length !== 0 && (ctx.request.length || ctx.get('transfer-encoding'))) {
      let raw: Buffer;
      try {
        raw = await getRawBody(ctx.req, { limit, length: ctx.request.length });
      } catch (err) {
        if ((err as { type?: string }).type === 'entity.too.large') {
          throw new OmniError('PAYLOAD_TOO_LARGE', `request body exceeds the ${limit} limit`);
        }
        throw new OmniError('BAD_REQUEST', 'could not read the request body');
      }
      ctx.request.rawBody = raw;
      if (raw.length > 0 && ctx.request.is('json', '+json')) {
        try {
          ctx.request.body = JSON.parse(raw.toString('utf8'));
        } catch {
          throw new OmniError('BAD_REQUEST', 'malformed JSON body');
        }
        if (exceedsJsonDepth(ctx.request.body)) throw new OmniError('BAD_REQUEST', `JSON body nested deeper than ${MAX_JSON_DEPTH} levels`);
      }
    }
    await next();
  };
}
