import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { OmniError } from '@omni/plugin-sdk';
import type { Database } from '../db/create-database.js';
import { AgentProviderSchema, type AgentProviderRecord } from '../db/entities/agent-provider.js';

export type AgentProviderInput = Pick<AgentProviderRecord, 'name' | 'type' | 'apiUrl' | 'apiKey' | 'defaultAgentId' | 'defaultTimeout' | 'defaultStreaming' | 'metadata'>;

/** Shared agent provider records. */
export class AgentProviderRepository {
  constructor(private readonly db: Database) {}

  list(): Promise<AgentProviderRecord[]> {
    return this.db.fork().find(AgentProviderSchema, {}, { orderBy: { createdAt: 'asc', id: 'asc' } });
  }

  get(id: string): Promise<AgentProviderRecord | null> {
    return this.db.fork().findOne(AgentProviderSchema, { id });
  }

  async create(input: AgentProviderInput): Promise<AgentProviderRecord> {
    const em = this.db.fork();
    const record = em.create(AgentProviderSchema, input);
    await this.flush(em, input.name);
    return record;
  }

  async update(id: string, patch: Partial<AgentProviderInput>): Promise<AgentProviderRecord> {
    const em = this.db.fork();
    const record = await em.findOne(AgentProviderSchema, { id });
    if (!record) throw new OmniError('NOT_FOUND', `provider '${id}' not found`);
    em.assign(record, Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)));
    await this.flush(em, patch.name ?? record.name);
    return record;
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
