import { UniqueConstraintViolationException, type FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import { OmniError } from '@omni/plugin-sdk';
import type { Database } from '../create-database.js';
import { InstanceSchema, type DesiredState, type Instance, type JsonObject } from '../entities/instance.js';
import { decodeCursor, encodeCursor } from '../keyset-cursor.js';
import type { SecretFields } from '../../secrets/secret-fields.js';

/** Encrypts channel credentials and the agent API key at rest; without it they are stored as given (tests). */
export interface InstanceSecrets {
  fields: SecretFields;
  /** The channel's secret fields (`secretFields` of its plugin). */
  channelFields(channel: string): readonly string[];
}

export interface CreateInstanceInput {
  name: string;
  channel: string;
  channelConfig: JsonObject;
  agent?: JsonObject | null;
  messaging?: JsonObject | null;
  media?: JsonObject | null;
  /** Default true. */
  isActive?: boolean;
  /** Default `'connected'`. */
  desiredState?: DesiredState;
}

/** Fields left out (or undefined) are unchanged; JSON fields are replaced whole, not merged. */
export type InstancePatch = Partial<CreateInstanceInput>;

export interface ListInstancesOptions {
  /** Only instances of these channels; unset or empty: all. */
  channel?: string[];
  /** Only these instances (API keys restricted to some). */
  ids?: readonly string[];
  /** `nextCursor` of the previous page. */
  cursor?: string;
  limit: number;
}

export interface InstancePage {
  items: Instance[];
  /** Null on the last page. */
  nextCursor: string | null;
}

/** Instances, ordered by creation. Each method uses the given EntityManager or forks its own. */
export class InstanceRepository {
  /**
   * Recent reads by id: every message looks its instance up several times. Writes through this
   * repository drop the entry; other processes' writes are seen within `cacheTtlMs`.
   */
  private readonly cache = new Map<string, { instance: Instance; until: number }>();

  constructor(
    private readonly db: Database,
    private readonly cacheTtlMs = 1_000,
    private readonly secrets?: InstanceSecrets,
  ) {}

  private sealed<T extends InstancePatch>(input: T, channel: string): T {
    const s = this.secrets;
    if (!s) return input;
    const out = { ...input };
    if (input.channelConfig) out.channelConfig = s.fields.seal(input.channelConfig, s.channelFields(channel));
    if (input.agent) out.agent = s.fields.seal(input.agent, ['apiKey']);
    return out;
  }

  /** A detached copy with secrets decrypted: entities themselves keep the encrypted values. */
  private opened(instance: Instance): Instance;
  private opened(instance: Instance | null): Instance | null;
  private opened(instance: Instance | null): Instance | null {
    const s = this.secrets;
    if (!s || !instance) return instance;
    return { ...instance, channelConfig: s.fields.open(instance.channelConfig), agent: s.fields.open(instance.agent) };
  }

  /** Throws OmniError CONFLICT when the name is taken. */
  async create(plain: CreateInstanceInput, em: EntityManager = this.db.fork()): Promise<Instance> {
    const input = this.sealed(plain, plain.channel);
    const instance = em.create(InstanceSchema, {
      name: input.name,
      channel: input.channel,
      channelConfig: input.channelConfig,
      agent: input.agent ?? null,
      messaging: input.messaging ?? null,
      media: input.media ?? null,
      isActive: input.isActive ?? true,
      desiredState: input.desiredState ?? 'connected',
    });
    await flushUniqueName(em, input.name);
    return this.opened(instance);
  }

  /** Callers must not modify what they get: it may be shared through the cache. */
  async get(id: string, em?: EntityManager): Promise<Instance | null> {
    const hit = this.cache.get(id);
    if (hit && hit.until > Date.now()) return hit.instance;
    const instance = this.opened(await (em ?? this.db.fork()).findOne(InstanceSchema, { id }));
    if (instance) this.cache.set(id, { instance, until: Date.now() + this.cacheTtlMs });
    else this.cache.delete(id);
    return instance;
  }

  async getByName(name: string, em: EntityManager = this.db.fork()): Promise<Instance | null> {
    return this.opened(await em.findOne(InstanceSchema, { name }));
  }

  /** Pages through instances by creation time, oldest first. */
  async list(options: ListInstancesOptions, em: EntityManager = this.db.fork()): Promise<InstancePage> {
    const { channel, ids, cursor, limit } = options;
    if (!Number.isInteger(limit) || limit < 1) throw new OmniError('VALIDATION_ERROR', `limit must be a positive integer, got ${limit}`);
    const where: FilterQuery<Instance> = {};
    if (channel?.length) where.channel = { $in: channel };
    if (ids) where.id = { $in: [...ids] };
    if (cursor !== undefined) {
      const after = decodeCursor(cursor);
      where.$or = [{ createdAt: { $gt: after.createdAt } }, { createdAt: after.createdAt, id: { $gt: after.id } }];
    }
    // One extra row tells whether another page follows.
    const rows = await em.find(InstanceSchema, where, { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], limit: limit + 1 });
    const items = rows.slice(0, limit).map((i) => this.opened(i));
    const last = items.at(-1);
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
  }

  async listActive(em: EntityManager = this.db.fork()): Promise<Instance[]> {
    return (await em.find(InstanceSchema, { isActive: true }, { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })).map((i) => this.opened(i));
  }

  /** Throws OmniError NOT_FOUND for an unknown id, CONFLICT when renaming to a taken name. */
  async update(id: string, patch: InstancePatch, em: EntityManager = this.db.fork()): Promise<Instance> {
    this.cache.delete(id);
    const instance = await em.findOne(InstanceSchema, { id });
    if (!instance) throw new OmniError('NOT_FOUND', `instance ${id} not found`);
    em.assign(instance, this.sealed(patch, instance.channel), { ignoreUndefined: true, mergeObjectProperties: false });
    await flushUniqueName(em, instance.name);
    return this.opened(instance);
  }

  /** False when there was no such instance. */
  async delete(id: string, em: EntityManager = this.db.fork()): Promise<boolean> {
    this.cache.delete(id);
    return (await em.nativeDelete(InstanceSchema, { id })) > 0;
  }
}

async function flushUniqueName(em: EntityManager, name: string): Promise<void> {
  try {
    await em.flush();
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) {
      throw new OmniError('CONFLICT', `an instance named "${name}" already exists`, { details: { name }, cause: err });
    }
    throw err;
  }
}
