import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { definePlugin, type ChannelInstance, type OutboundMessage } from '@omni/plugin-sdk';
import { startTestKernel, TestHttpClient, type TestKernel } from '@omni/plugin-sdk/testing';

const sent: OutboundMessage[] = [];
let live: ChannelInstance | undefined;
const channel = definePlugin({
  id: 'v1-test-channel',
  version: '1.0.0',
  kind: 'channel',
  compat: { sdk: '^1.0.0' },
  channel: { id: 'v1test', name: 'v1 test', description: 'text', instanceConfig: z.object({ token: z.string().optional() }), secretFields: ['token'] },
  capabilities: { content: { send: ['text'], receive: ['text'] }, features: ['reply'], auth: ['qr'], limits: { maxTextLength: 1000, maxFileSize: 10 }, events: [] },
  setup: () => ({
    adapter: {
      connect: async (i: ChannelInstance) => {
        live = i;
        i.setStatus({ state: 'awaiting_qr', qr: { code: 'QR-123', expiresAt: '2030-01-01T00:00:00.000Z' } });
      },
      disconnect: async () => undefined,
      send: async (_id: string, m: OutboundMessage) => (sent.push(m), { ok: true as const, externalId: `wamid-${sent.length}` }),
    },
  }),
});

describe('v1 compatibility layer', () => {
  let tk: TestKernel;
  let id: string;

  beforeAll(async () => {
    tk = await startTestKernel({ plugins: [channel] });
    id = (await tk.createInstance({ channel: 'v1test', name: 'legacy', channelConfig: { token: 'tok-secret' } })).id;
    const patched = await tk.http.patch(`/api/v2/instances/${id}`, { agent: { apiUrl: 'http://127.0.0.1:9/agent', apiKey: 'agent-secret-key', agentId: 'bot', timeout: 30_000 }, messaging: { enableAutoSplit: false } });
    expect(patched.body).toMatchObject({ agent: { agentId: 'bot' } });
  });
  afterAll(() => tk?.stop());

  it('lists and gets instances by name with v1 field names and no secrets', async () => {
    const list = await tk.http.get('/api/v1/instances?skip=0&limit=10&include_status=true');
    expect(list.status).toBe(200);
    expect(list.body[0]).toMatchObject({ id, name: 'legacy', channel_type: 'v1test', is_active: true, agent_api_url: 'http://127.0.0.1:9/agent', agent_id: 'bot', agent_timeout: 30, enable_auto_split: false, status: 'connecting' });
    expect(JSON.stringify(list.body)).not.toMatch(/agent-secret-key|tok-secret/);
    expect((await tk.http.get('/api/v1/instances/legacy')).body.id).toBe(id);
    expect((await tk.http.get('/api/v1/instances/nope')).status).toBe(404);
  });

  it('serves the QR in the v1 shape', async () => {
    const qr = await tk.http.get('/api/v1/instances/legacy/qr');
    expect(qr.body).toMatchObject({ instance_name: 'legacy', channel_type: 'v1test', qr_code: 'QR-123', status: 'connecting' });
  });

  it('sends text at both the singular and the plural path, splitting on request', async () => {
    const one = await tk.http.post('/api/v1/instance/legacy/send-text', { phone_number: '+15550001', text: 'hello', quoted_message_id: 'q1' });
    expect(one.body).toEqual({ success: true, message_id: expect.stringMatching(/^wamid-/), status: 'sent', error: null });
    expect(sent.at(-1)).toMatchObject({ to: '+15550001', content: { type: 'text', text: 'hello' }, replyTo: 'q1' });
    const before = sent.length;
    const split = await tk.http.post('/api/v1/instances/legacy/send-text', { user_id: 'u2', text: 'part one\n\npart two', split_message: true });
    expect(split.body.success).toBe(true);
    expect(sent.slice(before).map((m) => (m.content as { text: string }).text)).toEqual(['part one', 'part two']);
    expect((await tk.http.post('/api/v1/instance/legacy/send-text', { text: 'to nobody' })).status).toBe(400);
  });

  it('maps traces, users and settings', async () => {
    await live!.receive({ externalId: 'in-1', chatId: '+15550002', sender: { id: '+15550002', name: 'Bea' }, content: { type: 'text', text: 'hi' } });
    const traces = await tk.http.get('/api/v1/traces?instance_name=legacy&phone=%2B15550002&limit=5');
    expect(traces.status).toBe(200);
    expect(traces.body).toHaveLength(1);
    expect(traces.body[0]).toMatchObject({ instance_name: 'legacy', sender_phone: '+15550002', sender_name: 'Bea', message_type: 'text', has_media: false });
    expect((await tk.http.get('/api/v1/traces?offset=1&limit=1000')).status).toBe(200);
    const users = await tk.http.get('/api/v1/users');
    expect(users.body.some((u: { name: string | null }) => u.name === 'Bea')).toBe(true);
    const settings = await tk.http.get('/api/v1/settings');
    expect(settings.status).toBe(200);
    expect(settings.body.length).toBeGreaterThan(0);
    expect(settings.body[0]).toHaveProperty('value_type');
  });

  it('takes the same keys and scopes as v2', async () => {
    expect((await new TestHttpClient(tk.url).get('/api/v1/instances')).status).toBe(401);
    const { key } = (await tk.http.post('/api/v2/api-keys', { name: 'other', scopes: ['*'], instanceIds: [(await tk.createInstance({ channel: 'v1test', name: 'other' })).id] })).body;
    const restricted = new TestHttpClient(tk.url, { 'x-api-key': key });
    expect((await restricted.get('/api/v1/instances')).body.map((i: { name: string }) => i.name)).toEqual(['other']);
    expect((await restricted.get('/api/v1/instances/legacy')).status).toBe(404);
    expect((await restricted.post('/api/v1/instance/legacy/send-text', { user_id: 'x', text: 'y' })).status).toBe(404);
  });
});
