import { randomUUID } from 'node:crypto';
import { EntitySchema, type OptionalProps } from '@mikro-orm/core';
import type { JsonObject } from './instance.js';

/** A reusable agent API configuration that instances can point at. */
export interface AgentProviderRecord {
  [OptionalProps]?: 'id' | 'createdAt' | 'updatedAt';
  id: string;
  name: string;
  /** The provider type a running agent-provider plugin implements (`agent_api`, `agno`, `webhook`). */
  type: string;
  apiUrl: string;
  apiKey: string | null;
  defaultAgentId: string | null;
  defaultTimeout: number;
  defaultStreaming: boolean;
  metadata: JsonObject | null;
  createdAt: Date;
  updatedAt: Date;
}

export const AgentProviderSchema = new EntitySchema<AgentProviderRecord>({
  name: 'AgentProvider',
  tableName: 'agent_providers',
  properties: {
    id: { type: 'string', primary: true, length: 36, onCreate: () => randomUUID() },
    name: { type: 'string', unique: true },
    type: { type: 'string' },
    apiUrl: { type: 'string', length: 2048 },
    apiKey: { type: 'text', nullable: true },
    defaultAgentId: { type: 'string', nullable: true },
    defaultTimeout: { type: 'integer', default: 60_000 },
    defaultStreaming: { type: 'boolean', default: false },
    metadata: { type: 'json', nullable: true },
    createdAt: { type: 'datetime', onCreate: () => new Date() },
    updatedAt: { type: 'datetime', onCreate: () => new Date(), onUpdate: () => new Date() },
  },
});
