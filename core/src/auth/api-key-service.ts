import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { OmniError } from '@omni/plugin-sdk';
import type { Database } from '../db/create-database.js';
import { ApiKeySchema, type ApiKey } from '../db/entities/api-key.js';
import { hashApiKey, materialOf, newApiKey } from './api-key-format.js';
import type { AuditLog, AuditContext } from './audit-log.js';

export interface ApiKeyInput {
  name: string;
  scopes: string[];
  instanceIds?: string[] | null;
  expiresAt?: Date | null;
}

/** The identity of an authenticated request. */
export interface AuthenticatedKey {
  id: string;
  name: string;
  scopes: readonly string[];
  /** Null: every instance. */
  instanceIds: readonly string[] | null;
}

const CACHE_MS = 5_000;

/**
 * API keys: hashed at rest, shown once, scoped, optionally restricted to instances and expiring.
 * Lookups by hash are cached briefly; revoking or changing a key drops it from the cache.
 */
export class ApiKeyService {
  private readonly cache = new Map<string, { key: ApiKey | null; until: number }>();

  constructor(
    private readonly db: Database,
    private readonly audit: AuditLog,
  ) {}

  async create(input: ApiKeyInput, who: AuditContext, options: { isAdmin?: boolean; key?: string } = {}): Promise<{ record: ApiKey; key: string }> {
    const material = options.key ? materialOf(options.key) : newApiKey();
    const em = this.db.fork();
    const record = em.create(ApiKeySchema, {
      name: input.name,
      keyHash: material.keyHash,
      prefix: material.prefix,
      suffix: material.suffix,
      scopes: input.scopes,
      instanceIds: input.instanceIds ?? null,
      isAdmin: options.isAdmin ?? false,
      expiresAt: input.expiresAt ?? null,
      revokedAt: null,
      lastUsedAt: null,
      lastUsedIp: null,
    });
    try {
      await em.flush();
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) throw new OmniError('CONFLICT', 'that key already exists');
      throw err;
    }
    await this.audit.record(record.id, 'create', who, { name: input.name, scopes: input.scopes });
    return { record, key: material.key };
  }

  list(options: { includeRevoked?: boolean } = {}): Promise<ApiKey[]> {
    return this.db.fork().find(ApiKeySchema, options.includeRevoked ? {} : { revokedAt: null }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  }

  async get(id: string): Promise<ApiKey> {
    const record = await this.db.fork().findOne(ApiKeySchema, { id });
    if (!record) throw new OmniError('NOT_FOUND', `API key '${id}' not found`);
    return record;
  }

  async update(id: string, patch: Partial<ApiKeyInput>, who: AuditContext): Promise<ApiKey> {
    const em = this.db.fork();
    const record = await em.findOne(ApiKeySchema, { id, revokedAt: null });
    if (!record) throw new OmniError('NOT_FOUND', `API key '${id}' not found`);
    em.assign(record, Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)));
    await em.flush();
    this.forget(record.keyHash);
    await this.audit.record(id, 'update', who, { fields: Object.keys(patch).filter((k) => patch[k as keyof ApiKeyInput] !== undefined) });
    return record;
  }

  async revoke(id: string, who: AuditContext): Promise<ApiKey> {
    const em = this.db.fork();
    const record = await em.findOne(ApiKeySchema, { id, revokedAt: null });
    if (!record) throw new OmniError('NOT_FOUND', `API key '${id}' not found`);
    record.revokedAt = new Date();
    await em.flush();
    this.forget(record.keyHash);
    await this.audit.record(id, 'revoke', who);
    return record;
  }

  /** A new secret for the same key id; the old one stops working at once. */
  async regenerate(id: string, who: AuditContext): Promise<{ record: ApiKey; key: string }> {
    const em = this.db.fork();
    const record = await em.findOne(ApiKeySchema, { id, revokedAt: null });
    if (!record) throw new OmniError('NOT_FOUND', `API key '${id}' not found`);
    const oldHash = record.keyHash;
    const material = newApiKey();
    em.assign(record, { keyHash: material.keyHash, prefix: material.prefix, suffix: material.suffix });
    await em.flush();
    this.forget(oldHash);
    await this.audit.record(id, 'regenerate', who);
    return { record, key: material.key };
  }

  /** The key a request presented, or null when it is unknown, revoked or expired. */
  async authenticate(presented: string): Promise<AuthenticatedKey | null> {
    const hash = hashApiKey(presented);
    const now = Date.now();
    let hit = this.cache.get(hash);
    if (!hit || hit.until < now) {
      hit = { key: await this.db.fork().findOne(ApiKeySchema, { keyHash: hash }), until: now + CACHE_MS };
      this.cache.set(hash, hit);
    }
    const key = hit.key;
    if (!key || key.revokedAt || (key.expiresAt && key.expiresAt.getTime() <= now)) return null;
    return { id: key.id, name: key.name, scopes: key.scopes, instanceIds: key.instanceIds };
  }

  async count(): Promise<number> {
    return this.db.fork().count(ApiKeySchema, { revokedAt: null });
  }

  async findByKey(key: string): Promise<ApiKey | null> {
    return this.db.fork().findOne(ApiKeySchema, { keyHash: hashApiKey(key) });
  }

  private forget(hash: string): void {
    this.cache.delete(hash);
  }
}
