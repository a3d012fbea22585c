import { randomUUID } from 'node:crypto';
import { EntitySchema, type OptionalProps } from '@mikro-orm/core';
import type { JsonObject } from './instance.js';

export const EVENT_DIRECTIONS = ['inbound', 'outbound'] as const;
export type EventDirection = (typeof EVENT_DIRECTIONS)[number];

/** Where a message is in its life. Terminal states never change back. */
export const EVENT_STATUSES = ['received', 'processing', 'blocked', 'skipped', 'sending', 'sent', 'delivered', 'read', 'failed'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];
export const TERMINAL_STATUSES: readonly EventStatus[] = ['blocked', 'skipped', 'sent', 'delivered', 'read', 'failed'];

/** One lifecycle step with its time: received, access, debounce, agent_request, agent_response, channel_send, … */
export interface EventStage {
  stage: string;
  at: string;
  /** Time spent in this stage. */
  ms?: number;
  detail?: string;
}

/** Every inbound and outbound message, with its trace. */
export interface MessageEvent {
  [OptionalProps]?: 'id' | 'createdAt' | 'updatedAt' | 'stages' | 'status' | 'ingestMode';
  id: string;
  /** Shared by an inbound message and the replies it caused. */
  traceId: string;
  direction: EventDirection;
  instanceId: string;
  channel: string;
  /** The platform's message id (inbound: from the platform; outbound: once sent). */
  externalId: string | null;
  chatId: string;
  /** Inbound: the sender's platform id. */
  senderId: string | null;
  senderName: string | null;
  /** Outbound: the recipient. */
  recipientId: string | null;
  personId: string | null;
  contentType: string;
  textContent: string | null;
  /** The full message, kept for debugging until the retention period ends. */
  payload: JsonObject | null;
  status: EventStatus;
  errorStage: string | null;
  errorMessage: string | null;
  stages: EventStage[];
  ingestMode: 'realtime' | 'history';
  /** Outbound: the inbound event it answers. */
  replyToEventId: string | null;
  agentMs: number | null;
  totalMs: number | null;
  /** While set and in the future, a worker owns this event's processing. */
  leaseUntil: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const MessageEventSchema = new EntitySchema<MessageEvent>({
  name: 'MessageEvent',
  tableName: 'message_events',
  indexes: [
    { properties: ['createdAt', 'id'] },
    { properties: ['instanceId', 'createdAt'] },
    { properties: ['status', 'createdAt'] },
    { properties: ['direction', 'ingestMode', 'createdAt'] },
    { properties: ['senderId'] },
  ],
  uniques: [{ properties: ['instanceId', 'direction', 'externalId'] }],
  properties: {
    id: { type: 'string', primary: true, length: 36, onCreate: () => randomUUID() },
    traceId: { type: 'string', length: 36, index: true },
    // Plain strings, not enums: SQLite's schema diff cannot round-trip several CHECK enums in one table.
    direction: { type: 'string', length: 16 },
    instanceId: { type: 'string', length: 36 },
    channel: { type: 'string' },
    externalId: { type: 'string', nullable: true },
    chatId: { type: 'string' },
    senderId: { type: 'string', nullable: true },
    senderName: { type: 'string', nullable: true },
    recipientId: { type: 'string', nullable: true },
    personId: { type: 'string', length: 36, nullable: true, index: true },
    contentType: { type: 'string' },
    textContent: { type: 'text', nullable: true },
    payload: { type: 'json', nullable: true },
    status: { type: 'string', length: 16, default: 'received' },
    errorStage: { type: 'string', nullable: true },
    errorMessage: { type: 'text', nullable: true },
    stages: { type: 'json', onCreate: () => [] },
    ingestMode: { type: 'string', length: 16, default: 'realtime' },
    replyToEventId: { type: 'string', length: 36, nullable: true, index: true },
    agentMs: { type: 'integer', nullable: true },
    totalMs: { type: 'integer', nullable: true },
    leaseUntil: { type: 'datetime', nullable: true },
    createdAt: { type: 'datetime', onCreate: () => new Date() },
    updatedAt: { type: 'datetime', onCreate: () => new Date(), onUpdate: () => new Date() },
  },
});
