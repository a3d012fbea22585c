import { randomUUID } from 'node:crypto';
import { EntitySchema, type OptionalProps } from '@mikro-orm/core';

/**
 * An API key. Only its SHA-256 is stored; `prefix` and `suffix` let people recognise it in
 * listings. The full key is shown once, when it is created or regenerated.
 */
export interface ApiKey {
  [OptionalProps]?: 'id' | 'createdAt' | 'updatedAt' | 'usageCount' | 'isAdmin';
  id: string;
  name: string;
  keyHash: string;
  prefix: string;
  suffix: string;
  scopes: string[];
  /** Null: every instance. */
  instanceIds: string[] | null;
  /** Made by bootstrap or `omni keys create --admin`. */
  isAdmin: boolean;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
  usageCount: number;
  createdAt: Date;
  updatedAt: Date;
}

export const ApiKeySchema = new EntitySchema<ApiKey>({
  name: 'ApiKey',
  tableName: 'api_keys',
  properties: {
    id: { type: 'string', primary: true, length: 36, onCreate: () => randomUUID() },
    name: { type: 'string' },
    keyHash: { type: 'string', length: 64, unique: true },
    prefix: { type: 'string', length: 16 },
    suffix: { type: 'string', length: 8 },
    scopes: { type: 'json' },
    instanceIds: { type: 'json', nullable: true },
    isAdmin: { type: 'boolean', default: false },
    expiresAt: { type: 'datetime', nullable: true },
    revokedAt: { type: 'datetime', nullable: true },
    lastUsedAt: { type: 'datetime', nullable: true },
    lastUsedIp: { type: 'string', nullable: true },
    usageCount: { type: 'integer', default: 0 },
    createdAt: { type: 'datetime', onCreate: () => new Date(), index: true },
    updatedAt: { type: 'datetime', onCreate: () => new Date(), onUpdate: () => new Date() },
  },
});

export const AUDIT_ACTIONS = ['create', 'use', 'update', 'regenerate', 'revoke'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** One thing that happened to or with an API key. */
export interface ApiKeyAudit {
  [OptionalProps]?: 'id' | 'at';
  id: string;
  keyId: string;
  action: AuditAction;
  ip: string | null;
  userAgent: string | null;
  /** `METHOD /path` of the request. */
  endpoint: string | null;
  statusCode: number | null;
  metadata: Record<string, unknown> | null;
  at: Date;
}

export const ApiKeyAuditSchema = new EntitySchema<ApiKeyAudit>({
  name: 'ApiKeyAudit',
  tableName: 'api_key_audit',
  indexes: [{ properties: ['keyId', 'at'] }],
  properties: {
    id: { type: 'string', primary: true, length: 36, onCreate: () => randomUUID() },
    keyId: { type: 'string', length: 36 },
    action: { type: 'string', length: 16 },
    ip: { type: 'string', nullable: true },
    userAgent: { type: 'text', nullable: true },
    endpoint: { type: 'text', nullable: true },
    statusCode: { type: 'integer', nullable: true },
    metadata: { type: 'json', nullable: true },
    at: { type: 'datetime', onCreate: () => new Date() },
  },
});
