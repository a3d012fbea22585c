import { randomUUID } from 'node:crypto';
import { EntitySchema, type OptionalProps } from '@mikro-orm/core';

export const RULE_TYPES = ['allow', 'deny'] as const;
export type RuleType = (typeof RULE_TYPES)[number];

/**
 * Allows or denies senders. `pattern` is an exact platform user id or phone, or a prefix ending
 * in `*`. It is matched against every identity of the sender's person.
 */
export interface AccessRule {
  [OptionalProps]?: 'id' | 'createdAt' | 'updatedAt' | 'priority' | 'enabled';
  id: string;
  /** Null: applies to every instance. */
  instanceId: string | null;
  /** Null: every channel. */
  channel: string | null;
  type: RuleType;
  pattern: string;
  /** Higher wins; at equal priority the longer (more specific) pattern wins, then deny. */
  priority: number;
  enabled: boolean;
  reason: string | null;
  /** Sent to a denied sender, when set. */
  denyMessage: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const AccessRuleSchema = new EntitySchema<AccessRule>({
  name: 'AccessRule',
  tableName: 'access_rules',
  properties: {
    id: { type: 'string', primary: true, length: 36, onCreate: () => randomUUID() },
    instanceId: { type: 'string', length: 36, nullable: true, index: true },
    channel: { type: 'string', nullable: true },
    type: { enum: true, items: [...RULE_TYPES] },
    pattern: { type: 'string' },
    priority: { type: 'integer', default: 0 },
    enabled: { type: 'boolean', default: true },
    reason: { type: 'string', nullable: true },
    denyMessage: { type: 'text', nullable: true },
    createdAt: { type: 'datetime', onCreate: () => new Date() },
    updatedAt: { type: 'datetime', onCreate: () => new Date(), onUpdate: () => new Date() },
  },
});
