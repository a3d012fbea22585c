import { randomUUID } from 'node:crypto';
import { EntitySchema, type OptionalProps } from '@mikro-orm/core';
import type { JsonObject } from './instance.js';

/** One human, across every channel they write from. */
export interface Person {
  [OptionalProps]?: 'id' | 'createdAt' | 'updatedAt';
  id: string;
  displayName: string | null;
  /** E.164, when any identity knows it. Identities with the same phone belong to the same person. */
  primaryPhone: string | null;
  primaryEmail: string | null;
  metadata: JsonObject | null;
  createdAt: Date;
  updatedAt: Date;
}

export const PersonSchema = new EntitySchema<Person>({
  name: 'Person',
  tableName: 'persons',
  properties: {
    id: { type: 'string', primary: true, length: 36, onCreate: () => randomUUID() },
    displayName: { type: 'string', nullable: true },
    primaryPhone: { type: 'string', nullable: true, index: true },
    primaryEmail: { type: 'string', nullable: true },
    metadata: { type: 'json', nullable: true },
    createdAt: { type: 'datetime', onCreate: () => new Date() },
    updatedAt: { type: 'datetime', onCreate: () => new Date(), onUpdate: () => new Date() },
  },
});
