import { randomUUID } from 'node:crypto';
import { raw } from '@mikro-orm/core';
import type { Logger } from '@omni/plugin-sdk';
import type { Database } from '../db/create-database.js';
import { ApiKeyAuditSchema, ApiKeySchema, type ApiKeyAudit, type AuditAction } from '../db/entities/api-key.js';

/** Who did something, from the request. */
export interface AuditContext {
  ip?: string | null;
  userAgent?: string | null;
  endpoint?: string | null;
  statusCode?: number | null;
}

export interface AuditQuery {
  since?: Date;
  until?: Date;
  action?: AuditAction[];
  limit: number;
}

const FLUSH_MS = 500;
const FLUSH_AT = 200;

/**
 * The API key audit trail. Management actions are written at once; `use` entries (one per
 * request) are buffered and written in batches with the keys' usage counters, so auditing
 * never costs a database round trip per API call.
 */
export class AuditLog {
  private pending: Array<{ keyId: string; ctx: AuditContext; at: Date }> = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
  ) {}

  async record(keyId: string, action: Exclude<AuditAction, 'use'>, ctx: AuditContext, metadata?: Record<string, unknown>): Promise<void> {
    const em = this.db.fork();
    em.create(ApiKeyAuditSchema, { keyId, action, ...fields(ctx), metadata: metadata ?? null });
    await em.flush();
  }

  use(keyId: string, ctx: AuditContext): void {
    this.pending.push({ keyId, ctx, at: new Date() });
    if (this.pending.length >= FLUSH_AT) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS).unref();
  }

  /** Writes buffered `use` entries; safe to call any time (stop calls it). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return this.flushing;
    this.flushing = this.flushing.then(() => this.write(batch)).catch((err: unknown) => this.logger.error({ err, entries: batch.length }, 'could not write the API key audit log'));
    return this.flushing;
  }

  async list(keyId: string, query: AuditQuery): Promise<ApiKeyAudit[]> {
    await this.flush();
    const at: Record<string, Date> = {};
    if (query.since) at.$gte = query.since;
    if (query.until) at.$lte = query.until;
    return this.db.fork().find(
      ApiKeyAuditSchema,
      { keyId, ...(query.action?.length ? { action: { $in: query.action } } : {}), ...(Object.keys(at).length ? { at } : {}) },
      { orderBy: { at: 'desc', id: 'desc' }, limit: query.limit },
    );
  }

  private async write(batch: Array<{ keyId: string; ctx: AuditContext; at: Date }>): Promise<void> {
    const em = this.db.fork();
    await em.transactional(async (tx) => {
      await tx.insertMany(ApiKeyAuditSchema, batch.map((b) => ({ id: randomUUID(), keyId: b.keyId, action: 'use' as const, ...fields(b.ctx), metadata: null, at: b.at })));
      const last = new Map<string, { count: number; at: Date; ip: string | null }>();
      for (const b of batch) {
        const seen = last.get(b.keyId);
        last.set(b.keyId, { count: (seen?.count ?? 0) + 1, at: b.at, ip: b.ctx.ip ?? null });
      }
      for (const [id, u] of last) {
        await tx.nativeUpdate(ApiKeySchema, { id }, { lastUsedAt: u.at, lastUsedIp: u.ip, usageCount: raw('usage_count + ?', [u.count]) });
      }
    });
  }
}

const fields = (ctx: AuditContext) => ({
  ip: ctx.ip ?? null,
  userAgent: ctx.userAgent ? ctx.userAgent.slice(0, 512) : null,
  endpoint: ctx.endpoint ?? null,
  statusCode: ctx.statusCode ?? null,
});
