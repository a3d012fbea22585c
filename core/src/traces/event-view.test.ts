import { describe, expect, it } from 'vitest';
import { EVENT_DIRECTIONS, EVENT_STATUSES, type MessageEvent } from '../db/entities/message-event.js';
import { EVENT_TYPE_RULES } from './event-filters.js';
import { deriveEventType, eventSchema, toEventView } from './event-view.js';

const row = (overrides: Partial<MessageEvent> = {}): MessageEvent => ({
  id: 'e1',
  traceId: 't1',
  direction: 'inbound',
  instanceId: 'i1',
  channel: 'whatsapp',
  externalId: 'wamid.1',
  chatId: 'chat',
  senderId: null,
  senderName: null,
  recipientId: null,
  personId: null,
  contentType: 'text',
  textContent: null,
  payload: null,
  status: 'received',
  errorStage: null,
  errorMessage: null,
  stages: [],
  ingestMode: 'realtime',
  replyToEventId: null,
  agentMs: null,
  totalMs: null,
  leaseUntil: null,
  createdAt: new Date('2025-01-29T10:00:00.000Z'),
  updatedAt: new Date('2025-01-29T10:00:01.500Z'),
  ...overrides,
});

describe('deriveEventType', () => {
  it('maps every direction and status', () => {
    const table = Object.fromEntries(EVENT_DIRECTIONS.map((d) => [d, Object.fromEntries(EVENT_STATUSES.map((s) => [s, deriveEventType(d, s)]))]));
    expect(table).toEqual({
      inbound: {
        received: 'message.received',
        processing: 'message.received',
        blocked: 'message.blocked',
        skipped: 'message.received',
        sending: 'message.received',
        sent: 'message.received',
        delivered: 'message.received',
        read: 'message.received',
        failed: 'message.failed',
      },
      outbound: {
        received: 'message.sending',
        processing: 'message.sending',
        blocked: 'message.sending',
        skipped: 'message.sending',
        sending: 'message.sending',
        sent: 'message.sent',
        delivered: 'message.delivered',
        read: 'message.read',
        failed: 'message.failed',
      },
    });
  });

  it('agrees with the SQL rules for every pair', () => {
    for (const direction of EVENT_DIRECTIONS) {
      for (const status of EVENT_STATUSES) {
        const matching = Object.entries(EVENT_TYPE_RULES)
          .filter(([, rule]) => (rule.direction ?? direction) === direction && ('in' in rule.status ? rule.status.in.includes(status) : !rule.status.notIn.includes(status)))
          .map(([type]) => type);
        expect(matching, `${direction}/${status}`).toEqual([deriveEventType(direction, status)]);
      }
    }
  });
});

describe('toEventView', () => {
  it('shows an inbound event with sender, error, stages and timings', () => {
    const view = toEventView(
      row({
        senderId: '5511999',
        senderName: 'Ana',
        personId: 'p1',
        textContent: 'hi',
        payload: { key: { id: 'x' } },
        status: 'failed',
        errorStage: 'agent_request',
        errorMessage: 'timeout',
        stages: [{ stage: 'received', at: '2025-01-29T10:00:00.000Z' }, { stage: 'agent_request', at: '2025-01-29T10:00:00.200Z', ms: 30000, detail: 'timeout' }],
        agentMs: 30000,
        totalMs: 30250,
      }),
    );
    expect(eventSchema.parse(view)).toEqual(view);
    expect(view).toEqual({
      id: 'e1',
      traceId: 't1',
      eventType: 'message.failed',
      direction: 'inbound',
      instanceId: 'i1',
      channel: 'whatsapp',
      externalId: 'wamid.1',
      chatId: 'chat',
      sender: { platformUserId: '5511999', name: 'Ana' },
      recipientId: null,
      personId: 'p1',
      contentType: 'text',
      textContent: 'hi',
      payload: { key: { id: 'x' } },
      status: 'failed',
      ingestMode: 'realtime',
      error: { stage: 'agent_request', message: 'timeout' },
      stages: [
        { stage: 'received', at: '2025-01-29T10:00:00.000Z' },
        { stage: 'agent_request', at: '2025-01-29T10:00:00.200Z', ms: 30000, detail: 'timeout' },
      ],
      timings: { agentMs: 30000, totalMs: 30250 },
      replyToEventId: null,
      createdAt: '2025-01-29T10:00:00.000Z',
      updatedAt: '2025-01-29T10:00:01.500Z',
    });
  });

  it('shows an outbound reply without sender or error; a partial error keeps its known half', () => {
    const view = toEventView(row({ direction: 'outbound', recipientId: '5511999', status: 'sending', replyToEventId: 'e0', externalId: null }));
    expect(view).toMatchObject({ eventType: 'message.sending', sender: null, recipientId: '5511999', error: null, replyToEventId: 'e0', externalId: null });
    expect(eventSchema.parse(view)).toEqual(view);
    expect(toEventView(row({ errorMessage: 'boom' })).error).toEqual({ stage: null, message: 'boom' });
  });
});
