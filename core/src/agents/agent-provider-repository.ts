import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { OmniError } from '@omni/plugin-sdk';
import type { Database } from '../db/create-database.js';
import { AgentProviderSchema, type AgentProviderRecord } from '../db/entities/agent-provider.js';
import type { SecretFields } from '../secrets/secret-fields.js';

export type AgentProviderInput = Pick<AgentProviderRecord, 'name' | 'type' | 'apiUrl' | 'apiKey' | 'defaultAgentId' | 'defaultTimeout' | 'defaultStreaming' | 'metadata'>;

/** Shared agent provider records. */
export class AgentProviderRepository {
  /** With `secrets`, the API key is encrypted at rest; records handed out are detached and decrypted. */
  constructor(
    private readonly db: Database,
    private readonly secrets?: SecretFields,
  ) {}

  private opened(record: AgentProviderRecord): AgentProviderRecord;
  private opened(record: AgentProviderRecord | null): AgentProviderRecord | null;
  private opened(record: AgentProviderRecord | null): AgentProviderRecord | null {
    if (!record || !this.secrets) return record;
    return { ...record, ...this.secrets.open({ apiKey: record.apiKey }) } as AgentProviderRecord;
  }

  private sealed<T extends Partial<AgentProviderInput>>(input: T): T {
    return this.secrets && typeof input.apiKey === 'string' ? { ...input, ...this.secrets.seal({ apiKey: input.apiKey }, ['apiKey']) } : input;
  }

  async list(): Promise<AgentProviderRecord[]> {
    return (await this.db.fork().find(AgentProviderSchema, {}, { orderBy: { createdAt: 'asc', id: 'asc' } })).map((r) => this.opened(r));
  }

  async get(id: string): Promise<AgentProviderRecord | null> {
    return this.opened(await this.db.fork().findOne(AgentProviderSchema, { id }));
  }

  async create(input: AgentProviderInput): Promise<AgentProviderRecord> {
    const em = this.db.fork();
    const record = em.create(AgentProviderSchema, this.sealed(input));
    await this.flush(em, input.name);
    return this.opened(record);
  }

  async update(id: string, patch: Partial<AgentProviderInput>): Promise<AgentProviderRecord> {
    const em = this.db.fork();
    const record = await em.findOne(AgentProviderSchema, { id });
    if (!record) throw new OmniError('NOT_FOUND', `provider '${id}' not found`);
    em.assign(record, Object.fromEntries(Object.entries(this.sealed(patch)).filter(([, v]) => v !== undefined)));
    await this.flush(em, patch.name ?? record.name);
    return this.opened(record);
  }

  async delete(id: string): Promise<boolean> {
    return (await this.db.fork().nativeDelete(AgentProviderSchema, { id })) > 0;
  }

  private async flush(em: ReturnType<Database['fork']>, name: string) {
    try {
      await em.flush();
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) throw new OmniError('CONFLICT', `a provider named '${name}' already exists`);
      throw err;
    }
  }
}
