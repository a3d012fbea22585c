import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { definePlugin, type ChannelInstance, type MessageRef, type ProfileUpdate, type SyncRequest } from '@omni/plugin-sdk';
import { startTestKernel, stubChannel, TINY_PNG_BASE64, type TestKernel } from '@omni/plugin-sdk/testing';
import { InstanceSchema } from '../../db/entities/instance.js';
import { AgentProviderSchema } from '../../db/entities/agent-provider.js';
import { KvEntrySchema } from '../../db/entities/kv-entry.js';

/** A channel that implements every optional adapter method and records each call. */
function recordingChannel() {
  const calls: Array<{ method: string; args: unknown[] }> = [];
  const live = new Map<string, ChannelInstance<{ token: string }>>();
  const plugin = definePlugin({
    id: 'full-channel',
    version: '1.0.0',
    kind: 'channel',
    compat: { sdk: '^1.0.0' },
    services: ['secrets'],
    channel: { id: 'full', name: 'Full', description: 'every optional method', instanceConfig: z.object({ token: z.string() }), secretFields: ['token'] },
    capabilities: {
      content: { send: ['text', 'image'], receive: ['text', 'image'] },
      features: ['edit', 'delete', 'typing', 'readReceipts', 'profile'],
      auth: ['token'],
      limits: { maxTextLength: 1000, maxFileSize: 1_000_000 },
      events: ['message.received'],
    },
    setup: ({ services }) => ({
      adapter: {
        connect: async (instance: ChannelInstance<{ token: string }>) => {
          live.set(instance.id, instance);
          await services.secrets.set(`session:${instance.id}`, { token: instance.config.token });
          instance.setStatus({ state: 'connected' });
        },
        disconnect: async (id: string) => void live.delete(id),
        send: async (_id: string, m: { id: string }) => ({ ok: true as const, externalId: `ext-${m.id}` }),
        edit: async (...args: [string, MessageRef, string]) => (calls.push({ method: 'edit', args }), { ok: true as const, externalId: args[1].messageId }),
        delete: async (...args: [string, MessageRef]) => (calls.push({ method: 'delete', args }), { ok: false as const, error: { code: 'FORBIDDEN', message: 'Missing Permissions', retryable: false } }),
        typing: async (...args: [string, string, string]) => void calls.push({ method: 'typing', args }),
        markRead: async (...args: [string, MessageRef[]]) => void calls.push({ method: 'markRead', args }),
        updateProfile: async (...args: [string, ProfileUpdate]) => void calls.push({ method: 'updateProfile', args }),
        validateRecipient: async (_id: string, r: string) => ({ valid: true, exists: r !== 'ghost', normalized: r.toLowerCase() }),
        fetchProfile: async (_id: string, user: string) => ({ platformUserId: user, name: 'Ana' }),
        sync: async (id: string, request: SyncRequest, progress: (p: { stage: 'messages'; current: number; total: number }) => void) => {
          calls.push({ method: 'sync', args: [id, request] });
          progress({ stage: 'messages', current: 1, total: 1 });
          await live.get(id)!.receive({ externalId: 'old-1', chatId: 'c1', sender: { id: 'u1' }, content: { type: 'text', text: 'history' }, ingestMode: 'history' });
          return { contactsCount: 0, chatsCount: 1, messagesCount: 1 };
        },
        discoverSessions: async () => [{ sessionId: 's1', phone: '+15550001', connected: false }],
      },
    }),
  });
  return { plugin, calls, live };
}

const { plugin: bare } = stubChannel({ id: 'bare' });

describe('instance features, media and secrets at rest', () => {
  const channel = recordingChannel();
  let tk: TestKernel;
  let id: string;
  let bareId: string;

  beforeAll(async () => {
    tk = await startTestKernel({ plugins: [channel.plugin, bare] });
    id = (await tk.createInstance({ channel: 'full', channelConfig: { token: 'super-secret-token' } })).id;
    bareId = (await tk.createInstance({ channel: 'bare' })).id;
  });
  afterAll(() => tk?.stop());

  it('stores channel secrets, agent keys and plugin secrets encrypted, and hands plugins the plain value', async () => {
    const row = await tk.db.fork().findOneOrFail(InstanceSchema, { id });
    expect(String(row.channelConfig.token)).toMatch(/^enc:v1:/);
    expect(channel.live.get(id)!.config.token).toBe('super-secret-token');
    const view = await tk.http.get(`/api/v2/instances/${id}`);
    expect(JSON.stringify(view.body)).not.toContain('super-secret-token');

    const kv = await tk.db.fork().find(KvEntrySchema, { pluginId: 'secrets:full-channel' });
    expect(kv).toHaveLength(1);
    expect(JSON.stringify(kv[0]!.value)).not.toContain('super-secret-token');

    const provider = await tk.kernel.providerRecords.create({ name: 'p1', type: 'webhook', apiUrl: 'http://127.0.0.1:9/x', apiKey: 'provider-key-123', defaultAgentId: null, defaultTimeout: 30, defaultStreaming: false, metadata: null });
    expect(provider.apiKey).toBe('provider-key-123');
    const stored = await tk.db.fork().findOneOrFail(AgentProviderSchema, { id: provider.id });
    expect(stored.apiKey).toMatch(/^enc:v1:/);
    expect((await tk.kernel.providerRecords.get(provider.id))!.apiKey).toBe('provider-key-123');
  });

  it('stores inbound media and serves it by key and by message', async () => {
    const instance = channel.live.get(id)!;
    const png = Buffer.from(TINY_PNG_BASE64, 'base64');
    const media = await instance.storeMedia({ data: png, mimeType: 'image/png', filename: 'dot.png' });
    expect(media).toMatchObject({ size: png.length, mimeType: 'image/png', filename: 'dot.png' });
    await instance.receive({ externalId: 'img-1', chatId: 'c1', sender: { id: 'u1' }, content: { type: 'image', media } });

    const bytes = await tk.http.fetch(`/api/v2/media/${media.storageKey}`);
    expect(bytes.status).toBe(200);
    expect(bytes.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await bytes.arrayBuffer()).equals(png)).toBe(true);

    const byMessage = await tk.http.get(`/api/v2/instances/${id}/messages/img-1/media`);
    expect(byMessage.status).toBe(200);
    expect(byMessage.body).toMatchObject({ base64: TINY_PNG_BASE64, mimetype: 'image/png', fileName: 'dot.png', mediaStatus: 'downloaded' });
    expect((await tk.http.get(`/api/v2/media/${id}/${'0'.repeat(64)}`)).status).toBe(404);
    expect((await tk.http.get(`/api/v2/media/${id}/..%2F..%2Fsecret.key`)).status).toBe(400);
  });

  it('maps profile, recipient, user profile and discovery onto the adapter', async () => {
    const profile = await tk.http.put(`/api/v2/instances/${id}/profile`, { name: 'Omni Bot', picture: TINY_PNG_BASE64 });
    expect(profile.status).toBe(200);
    expect(profile.body).toEqual({ success: true, profile: { name: 'Omni Bot', pictureUpdated: true } });
    expect(channel.calls.find((c) => c.method === 'updateProfile')!.args).toEqual([id, { name: 'Omni Bot', picture: TINY_PNG_BASE64 }]);
    expect((await tk.http.put(`/api/v2/instances/${id}/profile`, {})).status).toBe(400);

    expect((await tk.http.post(`/api/v2/instances/${id}/validate-recipient`, { recipient: 'ABC' })).body).toEqual({ valid: true, exists: true, normalized: 'abc' });
    expect((await tk.http.get(`/api/v2/instances/${id}/profile/u9`)).body).toEqual({ platformUserId: 'u9', name: 'Ana' });
    expect((await tk.http.post('/api/v2/instances/discover', { channel: 'full' })).body.items).toEqual([{ sessionId: 's1', phone: '+15550001', connected: false }]);
  });

  it('answers 422 when the channel lacks the feature, 404 for an unknown instance', async () => {
    for (const res of [
      await tk.http.put(`/api/v2/instances/${bareId}/profile`, { name: 'x' }),
      await tk.http.post(`/api/v2/instances/${bareId}/validate-recipient`, { recipient: 'x' }),
      await tk.http.post(`/api/v2/instances/${bareId}/sync`, {}),
      await tk.http.post('/api/v2/messages/typing', { instanceId: bareId, to: 'c1' }),
      await tk.http.post('/api/v2/instances/discover', { channel: 'bare' }),
    ]) {
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('CAPABILITY_NOT_SUPPORTED');
    }
    expect((await tk.http.get('/api/v2/instances/nope/profile/u1')).status).toBe(404);
  });

  it('runs a sync in the background; imported history is stored but not routed', async () => {
    const started = await tk.http.post(`/api/v2/instances/${id}/sync`, { syncMessages: true, discord: { maxMessagesPerChannel: 5 } });
    expect(started.status).toBe(202);
    expect(started.body.status).toBe('started');
    let status = (await tk.http.get(`/api/v2/instances/${id}/sync/status`)).body;
    for (let i = 0; status.inProgress && i < 100; i++) {
      await new Promise((r) => setTimeout(r, 20));
      status = (await tk.http.get(`/api/v2/instances/${id}/sync/status`)).body;
    }
    expect(status).toMatchObject({ jobId: started.body.jobId, inProgress: false, messagesCount: 1, chatsCount: 1 });
    const events = await tk.http.get(`/api/v2/events?instanceId=${id}&direction=inbound`);
    const history = events.body.items.find((e: { externalId: string }) => e.externalId === 'old-1');
    expect(history).toBeDefined();
    expect((await tk.http.post(`/api/v2/instances/${id}/sync`, { whatsapp: { bogus: 1 } })).status).toBe(400);
  });

  it('edits, deletes, marks read and shows typing through the adapter', async () => {
    const sent = await tk.http.post('/api/v2/messages', { instanceId: id, to: 'c1', text: 'hello' });
    expect(sent.status).toBe(200);
    const edited = await tk.http.patch(`/api/v2/messages/${sent.body.messageId}`, { text: 'hello again' });
    expect(edited.body).toEqual({ messageId: sent.body.messageId, externalMessageId: sent.body.externalMessageId });
    expect(channel.calls.find((c) => c.method === 'edit')!.args).toEqual([id, { chatId: 'c1', messageId: sent.body.externalMessageId }, 'hello again']);

    const deleted = await tk.http.delete(`/api/v2/messages/${sent.body.messageId}`);
    expect(deleted.status).toBe(502);
    expect(deleted.body.error.message).toContain('Missing Permissions');
    expect((await tk.http.delete('/api/v2/messages/00000000-0000-4000-8000-000000000000')).status).toBe(404);

    expect((await tk.http.post('/api/v2/messages/typing', { instanceId: id, to: 'c1' })).status).toBe(200);
    expect(channel.calls.find((c) => c.method === 'typing')!.args).toEqual([id, 'c1', 'composing']);

    expect((await tk.http.patch(`/api/v2/instances/${id}/messages/img-1/mark-read`)).status).toBe(200);
    expect(channel.calls.filter((c) => c.method === 'markRead').at(-1)!.args).toEqual([id, [{ chatId: 'c1', messageId: 'img-1' }]]);
    const chat = await tk.http.patch(`/api/v2/instances/${id}/chats/c1/mark-read`);
    expect(chat.body).toMatchObject({ success: true, count: 2 });
    expect((await tk.http.patch(`/api/v2/instances/${id}/messages/unknown/mark-read`)).status).toBe(404);
  });
});
