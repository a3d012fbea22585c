import { createHash } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Context } from 'koa';
import { OmniError } from '@omni/plugin-sdk';
import type { Database } from '../db/create-database.js';
import { IdempotencyKeySchema } from '../db/entities/idempotency-key.js';
import { toEnvelope } from './error-envelope.js';

const IN_PROGRESS = 0;
const KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * Runs a request once per `Idempotency-Key`: the first answer (success or 4xx) is stored and
 * replayed for retries with the same key; a retry while the first is still running gets 409;
 * the same key with another body gets 422. 5xx answers are not kept, so a retry tries again.
 */
export async function idempotent<T>(db: Database, ctx: Context, scope: string, body: unknown, run: () => Promise<T>): Promise<T> {
  const key = ctx.get('idempotency-key');
  if (!key) return run();
  if (!KEY.test(key)) throw new OmniError('VALIDATION_ERROR', 'Idempotency-Key must be 1-255 visible ASCII characters');
  const requestHash = createHash('sha256').update(JSON.stringify(body ?? null)).digest('hex');

  const em = db.fork();
  const existing = await em.findOne(IdempotencyKeySchema, { scope, key });
  if (existing) return replay(ctx, existing, requestHash);
  try {
    em.create(IdempotencyKeySchema, { scope, key, requestHash, statusCode: IN_PROGRESS, response: {} });
    await em.flush();
  } catch (err) {
    if (!(err instanceof UniqueConstraintViolationException)) throw err;
    const raced = await db.fork().findOneOrFail(IdempotencyKeySchema, { scope, key });
    return replay(ctx, raced, requestHash);
  }

  const save = (statusCode: number, response: unknown) =>
    db.fork().nativeUpdate(IdempotencyKeySchema, { scope, key }, { statusCode, response: response as Record<string, unknown> });
  try {
    const result = await run();
    await save(ctx.status, result);
    ctx.set('idempotency-replayed', 'false');
    return result;
  } catch (err) {
    const { status, body: envelope } = toEnvelope(err);
    if (status >= 500) await db.fork().nativeDelete(IdempotencyKeySchema, { scope, key });
    else await save(status, envelope);
    throw err;
  }
}

function replay<T>(ctx: Context, stored: { requestHash: string; statusCode: number; response: Record<string, unknown> }, requestHash: string): T {
  if (stored.requestHash !== requestHash) {
    throw new OmniError('VALIDATION_ERROR', 'this Idempotency-Key was used with a different request body', { status: 422 });
  }
  if (stored.statusCode === IN_PROGRESS) throw new OmniError('CONFLICT', 'a request with this Idempotency-Key is still in progress');
  ctx.set('idempotency-replayed', 'true');
  if (stored.statusCode >= 400) {
    const error = (stored.response as { error?: { code: string; message: string; details?: unknown } }).error;
    throw new OmniError((error?.code ?? 'BAD_REQUEST') as never, error?.message ?? 'request failed', { status: stored.statusCode, details: error?.details });
  }
  ctx.status = stored.statusCode;
  return stored.response as T;
}
