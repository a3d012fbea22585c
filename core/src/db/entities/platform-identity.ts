import { randomUUID } from 'node:crypto';
import { EntitySchema, type OptionalProps } from '@mikro-orm/core';

/** One account of a person on one channel (a WhatsApp JID or LID, a Discord user id, …). */
export interface PlatformIdentity {
  [OptionalProps]?: 'id' | 'firstSeenAt' | 'lastSeenAt' | 'messageCount';
  id: string;
  personId: string;
  channel: string;
  platformUserId: string;
  /** E.164, when the platform tells it (WhatsApp, including LID senders through their phone alt). */
  phone: string | null;
  displayName: string | null;
  avatarUrl: string | null;
  /** The instance that first saw this identity. */
  instanceId: string | null;
  firstSeenAt: Date;
  lastSeenAt: Date;
  messageCount: number;
}

export const PlatformIdentitySchema = new EntitySchema<PlatformIdentity>({
  name: 'PlatformIdentity',
  tableName: 'platform_identities',
  uniques: [{ properties: ['channel', 'platformUserId'] }],
  properties: {
    id: { type: 'string', primary: true, length: 36, onCreate: () => randomUUID() },
    personId: { type: 'string', length: 36, index: true },
    channel: { type: 'string' },
    platformUserId: { type: 'string' },
    phone: { type: 'string', nullable: true, index: true },
    displayName: { type: 'string', nullable: true },
    // Platform avatar URLs (WhatsApp's especially) run past 255 characters.
    avatarUrl: { type: 'text', nullable: true },
    instanceId: { type: 'string', length: 36, nullable: true },
    firstSeenAt: { type: 'datetime', onCreate: () => new Date() },
    lastSeenAt: { type: 'datetime', onCreate: () => new Date() },
    messageCount: { type: 'integer', default: 0 },
  },
});
