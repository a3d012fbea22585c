import { randomUUID } from 'node:crypto';
import { EntitySchema, type OptionalProps } from '@mikro-orm/core';

export type JsonObject = Record<string, unknown>;

export const DESIRED_STATES = ['connected', 'disconnected'] as const;
/** What the operator asked for; a deliberately disconnected instance stays disconnected across restarts. */
export type DesiredState = (typeof DESIRED_STATES)[number];

/** A configured connection to one channel account. */
export interface Instance {
  [OptionalProps]?: 'id' | 'createdAt' | 'updatedAt';
  /** A UUID, generated on create. */
  id: string;
  name: string;
  channel: string;
  channelConfig: JsonObject;
  agent: JsonObject | null;
  messaging: JsonObject | null;
  media: JsonObject | null;
  isActive: boolean;
  desiredState: DesiredState;
  createdAt: Date;
  updatedAt: Date;
}

export const InstanceSchema = new EntitySchema<Instance>({
  name: 'Instance',
  tableName: 'instances',
  properties: {
    id: { type: 'string', primary: true, length: 36, onCreate: () => randomUUID() },
    name: { type: 'string', unique: true },
    channel: { type: 'string', index: true },
    channelConfig: { type: 'json' },
    agent: { type: 'json', nullable: true },
    messaging: { type: 'json', nullable: true },
    media: { type: 'json', nullable: true },
    isActive: { type: 'boolean', default: true },
    desiredState: { enum: true, items: [...DESIRED_STATES], default: 'connected' },
    createdAt: { type: 'datetime', onCreate: () => new Date() },
    updatedAt: { type: 'datetime', onCreate: () => new Date(), onUpdate: () => new Date() },
  },
});
