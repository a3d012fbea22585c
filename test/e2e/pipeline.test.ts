import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import agentApi from '@omni/agent-api';
import webhookChannel from '@omni/channel-webhook';
import { definePlugin } from '@omni/plugin-sdk';
import { startCaptureServer, startTestKernel, type CaptureServer, type CapturedRequest, type TestKernel } from '@omni/plugin-sdk/testing';
import wordFilter from 'omni-plugin-word-filter';
import { backends } from '../support/backends.js';
import { waitFor } from '../support/wait-for.js';

const SECRET = 'pipeline-secret-0123456789';

/** A channel that can only send text, to prove capability refusals. */
const textOnly = definePlugin({
  id: 'channel-text-only',
  version: '1.0.0',
  kind: 'channel',
  compat: { sdk: '^1.0.0' },
  channel: { id: 'text-only', name: 'Text only', description: 'test channel', instanceConfig: z.object({}) },
  capabilities: { content: { send: ['text'], receive: ['text'] }, features: [], auth: ['token'], limits: { maxTextLength: 100, maxFileSize: 1 }, events: ['message.received'] },
  setup: () => ({
    adapter: {
      connect: async (i) => i.setStatus({ state: 'connected' }),
      disconnect: async () => undefined,
      send: async () => ({ ok: true as const, externalId: 'x' }),
    },
  }),
});

/** The seed 002 agent contract, answering by the message text. */
function agentResponder(req: CapturedRequest) {
  const message: string = req.body?.message ?? '';
  if (message.includes('[[slow]]')) return new Promise<{ status: number; body: unknown }>((r) => setTimeout(() => r({ status: 200, body: { text: 'too late' } }), 1_500));
  if (message.includes('[[split]]')) return { status: 200, body: { text: 'part one\n\npart two\n\npart three' } };
  if (message.includes('[[4xx]]')) return { status: 400, body: { detail: 'bad' } };
  return { status: 200, body: { text: `Echo: ${message}` } };
}

describe.each(backends)('message pipeline ($name)', ({ backend }) => {
  let tk: TestKernel;
  let agent: CaptureServer;
  let outbound: CaptureServer;
  let seq = 0;

  const agentCallsFor = (text: string) => agent.requests.filter((r) => r.body?.message?.includes(text));
  const createInstance = async (extra: Record<string, unknown> = {}) => {
    const res = await tk.http.post('/api/v2/instances', {
      name: `pipe-${backend}-${++seq}`,
      channel: 'webhook',
      channelConfig: { secret: SECRET, outboundUrl: `${outbound.url}/out` },
      agent: { apiUrl: agent.url, timeout: 2_000 },
      ...extra,
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const inbound = (instanceId: string, messageId: string, text: string, from = '+15550001') =>
    tk.http.post(`/api/v2/webhooks/webhook/${instanceId}`, { event: 'message', data: { messageId, from, fromName: 'Ana', text } }, { 'x-webhook-secret': SECRET });
  const finished = (eventId: string) =>
    waitFor(`event ${eventId} to finish`, async () => {
      const e = await tk.kernel.messageEvents.get(eventId);
      return e && ['sent', 'failed', 'blocked', 'skipped'].includes(e.status) ? e : undefined;
    });
  const outboundTo = (to: string) => outbound.requests.filter((r) => r.body?.to === to);

  beforeAll(async () => {
    agent = await startCaptureServer(agentResponder);
    outbound = await startCaptureServer((req) => ({ status: req.body?.to === '+1555fail' ? 500 : 200, body: { messageId: `wh-${req.body?.messageId}` } }));
    tk = await startTestKernel({ plugins: [webhookChannel, agentApi, wordFilter, textOnly], config: { 'word-filter': { words: ['forbidden'] } }, backend });
  });
  afterAll(async () => {
    await tk?.stop();
    await agent?.close();
    await outbound?.close();
  });

  it('answers an inbound message through the agent and posts the reply to outboundUrl, tracing every stage', async () => {
    const instanceId = await createInstance();
    const res = await inbound(instanceId, 'hello-1', 'hello there', '+15550101');
    expect(res.status).toBe(200);
    const event = await finished(res.body.eventId);
    expect(event.status).toBe('sent');
    expect(event.stages.map((s) => s.stage)).toEqual(['received', 'access', 'debounce', 'agent_request', 'agent_response', 'channel_send', 'sent']);
    expect(event.agentMs).toBeGreaterThanOrEqual(0);
    expect(event.personId).toBeTruthy();

    const [reply] = outboundTo('+15550101');
    expect(reply?.body).toMatchObject({ instanceId, to: '+15550101', content: { type: 'text', text: 'Echo: hello there' } });
    const [call] = agentCallsFor('hello there');
    expect(call?.path).toBe('/api/agent/chat');
    expect(call?.body).toMatchObject({ user_id: event.personId, message: 'hello there', message_type: 'text', session_origin: 'webhook' });
    expect(call?.body.session_id).toContain(instanceId);

    const replyEvent = await waitFor('outbound event', async () => {
      const sent = tk.events.ofType('message.sent').find((e) => e.metadata.traceId === event.traceId);
      return sent && tk.kernel.messageEvents.get(sent.payload.messageId);
    });
    expect(replyEvent).toMatchObject({ direction: 'outbound', status: 'sent', traceId: event.traceId, replyToEventId: event.id, externalId: expect.stringMatching(/^wh-/) });
  });

  it('lets a plugin veto a message through the access hook: blocked, no agent call, no reply', async () => {
    const instanceId = await createInstance();
    const res = await inbound(instanceId, 'veto-1', 'this is forbidden talk', '+15550102');
    const event = await finished(res.body.eventId);
    expect(event.status).toBe('blocked');
    expect(event.stages.find((s) => s.stage === 'access')?.detail).toContain('forbidden');
    expect(agentCallsFor('forbidden talk')).toHaveLength(0);
    expect(outboundTo('+15550102')).toHaveLength(0);
  });

  it('blocks a sender matched by a deny rule before the agent sees the message', async () => {
    const instanceId = await createInstance();
    const rule = await tk.http.post('/api/v2/access/rules', { instanceId, type: 'deny', criteria: { platformUserId: '+15550109' }, reason: 'spammer' });
    expect(rule.status).toBe(201);
    const check = await tk.http.post('/api/v2/access/check', { instanceId, platformUserId: '+15550109', channel: 'webhook' });
    expect(check.body).toMatchObject({ allowed: false, rule: { id: rule.body.id } });
    const event = await finished((await inbound(instanceId, 'deny-1', 'let me in', '+15550109')).body.eventId);
    expect(event.status).toBe('blocked');
    expect(event.stages.find((s) => s.stage === 'access')?.detail).toContain(rule.body.id);
    expect(agentCallsFor('let me in')).toHaveLength(0);
    const other = await finished((await inbound(instanceId, 'deny-2', 'someone else', '+15550110')).body.eventId);
    expect(other.status).toBe('sent');
  });

  it('serves the whole trace from the events API', async () => {
    const instanceId = await createInstance();
    const eventId = (await inbound(instanceId, 'trace-1', 'trace me', '+15550111')).body.eventId;
    await finished(eventId);
    const res = await tk.http.get(`/api/v2/events/${eventId}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: eventId, eventType: 'message.received', direction: 'inbound', status: 'sent', instanceId, textContent: 'trace me' });
    expect(res.body.stages.map((s: { stage: string }) => s.stage)).toContain('agent_response');
    const list = await tk.http.get(`/api/v2/events?instanceId=${instanceId}`);
    expect(list.body.items.map((e: { direction: string }) => e.direction).sort()).toEqual(['inbound', 'outbound']);
    const analytics = await tk.http.get(`/api/v2/events/analytics?instanceId=${instanceId}`);
    expect(analytics.body).toMatchObject({ totalMessages: 1, successfulMessages: 1, successRate: 100 });
  });

  it('merges a debounce burst into one agent call with every text in order', async () => {
    const instanceId = await createInstance({ messaging: { debounceMode: 'fixed', debounceMs: 400 } });
    const texts = ['burst a', 'burst b', 'burst c', 'burst d', 'burst e'];
    const ids: string[] = [];
    for (const [i, text] of texts.entries()) ids.push((await inbound(instanceId, `burst-${i}`, text, '+15550103')).body.eventId);
    const events = await Promise.all(ids.map(finished));
    expect(events.every((e) => e.status === 'sent')).toBe(true);
    const calls = agentCallsFor('burst a');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.body.message).toBe(texts.join('\n'));
    expect(outboundTo('+15550103')).toHaveLength(1);
  });

  it('splits a reply on blank lines into sends in order', async () => {
    const instanceId = await createInstance({ messaging: { splitDelayMinMs: 5, splitDelayMaxMs: 20 } });
    const event = await finished((await inbound(instanceId, 'split-1', 'please [[split]]', '+15550104')).body.eventId);
    expect(event.status).toBe('sent');
    expect(outboundTo('+15550104').map((r) => r.body.content.text)).toEqual(['part one', 'part two', 'part three']);
  });

  it('records an agent timeout as failed at stage agent_request, after retries', async () => {
    const instanceId = await createInstance({ agent: { apiUrl: agent.url, timeout: 150 } });
    const event = await finished((await inbound(instanceId, 'slow-1', 'be [[slow]]', '+15550105')).body.eventId);
    expect(event).toMatchObject({ status: 'failed', errorStage: 'agent_request', errorMessage: expect.stringContaining('TIMEOUT') });
    expect(agentCallsFor('[[slow]]').length).toBe(3);
    expect(outboundTo('+15550105')).toHaveLength(0);
  });

  it('does not retry an agent 4xx', async () => {
    const instanceId = await createInstance();
    const event = await finished((await inbound(instanceId, '4xx-1', 'give me [[4xx]]', '+15550106')).body.eventId);
    expect(event).toMatchObject({ status: 'failed', errorStage: 'agent_request', errorMessage: expect.stringContaining('HTTP_400') });
    expect(agentCallsFor('[[4xx]]')).toHaveLength(1);
  });

  it('makes a failed outbound send a visible failed event', async () => {
    const instanceId = await createInstance();
    const event = await finished((await inbound(instanceId, 'fail-1', 'reply will fail', '+1555fail')).body.eventId);
    expect(event).toMatchObject({ status: 'failed', errorStage: 'channel_send', errorMessage: expect.stringContaining('HTTP_500') });
    const failed = await tk.events.waitFor('message.failed', (e) => e.metadata.traceId === event.traceId);
    expect(failed.payload.stage).toBe('channel_send');
  });

  it('routes a redelivered inbound message once, even when the copies arrive together', async () => {
    const instanceId = await createInstance();
    const answers = await Promise.all(Array.from({ length: 6 }, () => inbound(instanceId, 'dup-1', 'only once please', '+15550107')));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(new Set(answers.map((a) => a.body.eventId)).size).toBe(1);
    expect(answers.filter((a) => a.body.duplicate === false)).toHaveLength(1);
    await finished(answers[0]!.body.eventId);
    expect(agentCallsFor('only once please')).toHaveLength(1);
    expect(outboundTo('+15550107')).toHaveLength(1);
  });

  it('refuses a send the channel cannot do with 422, from the capability object', async () => {
    const created = await tk.http.post('/api/v2/instances', { name: `text-only-${backend}`, channel: 'text-only' });
    expect(created.status).toBe(201);
    const refused = await tk.http.post('/api/v2/messages/location', { instanceId: created.body.id, to: 'u1', latitude: 1, longitude: 2 });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'CAPABILITY_NOT_SUPPORTED', details: { missing: ['send:location'] } });
    expect((await tk.http.post('/api/v2/messages', { instanceId: created.body.id, to: 'u1', text: 'fine' })).status).toBe(200);
    expect((await tk.http.post('/api/v2/messages', { instanceId: 'no-such-instance', to: 'u1', text: 'x' })).status).toBe(404);
  });

  it('replays a send retried with the same Idempotency-Key without sending again', async () => {
    const instanceId = await createInstance();
    const body = { instanceId, to: '+15550108', text: 'exactly once' };
    const first = await tk.http.post('/api/v2/messages', body, { 'idempotency-key': `key-${backend}` });
    const second = await tk.http.post('/api/v2/messages', body, { 'idempotency-key': `key-${backend}` });
    expect(first.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotency-replayed')).toBe('true');
    expect(outboundTo('+15550108')).toHaveLength(1);
    const other = await tk.http.post('/api/v2/messages', { ...body, text: 'different' }, { 'idempotency-key': `key-${backend}` });
    expect(other.status).toBe(422);
  });
});
