import { EntitySchema, type OptionalProps } from '@mikro-orm/core';
import type { JsonObject } from './instance.js';

/** The first answer to a request sent with an `Idempotency-Key`, replayed for retries. */
export interface IdempotencyKey {
  [OptionalProps]?: 'createdAt';
  /** Who sent it (an API key id, or `anonymous`) and the route, so keys never collide across callers. */
  scope: string;
  key: string;
  /** SHA-256 of the request body: the same key with another body is a conflict. */
  requestHash: string;
  statusCode: number;
  response: JsonObject;
  createdAt: Date;
}

export const IdempotencyKeySchema = new EntitySchema<IdempotencyKey>({
  name: 'IdempotencyKey',
  tableName: 'idempotency_keys',
  properties: {
    scope: { type: 'string', primary: true },
    key: { type: 'string', primary: true },
    requestHash: { type: 'string', length: 64 },
    statusCode: { type: 'integer' },
    response: { type: 'json' },
    createdAt: { type: 'datetime', onCreate: () => new Date(), index: true },
  },
});
