import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_PNG_BASE64 } from '@omni/plugin-sdk/testing';
import { startFakeDiscord, type DiscordUser, type FakeDiscord, type RecordedCall } from '@omni/plugin-sdk/testing/discord';
import { omniApi } from '../support/omni-api.js';
import { startOmniWithEcho, type OmniWithEcho } from '../support/omni-with-echo.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The Discord channel end to end: the real `omni start` process, the echo agent, and the fake
 * Discord (REST, gateway and CDN) standing in for Discord. Everything goes through the public HTTP API.
 */
describe('Discord channel end to end', () => {
  let fake: FakeDiscord;
  let hub: OmniWithEcho;
  let alice: DiscordUser;
  let general: string;
  let instanceId: string;

  const { api, status, waitForState, inboundEvent: listedInbound, media } = omniApi(() => hub.omni);
  const botPost = (channelId: string, content: string) => (c: RecordedCall) => c.method === 'POST' && c.route === `/channels/${channelId}/messages` && c.status === 200 && c.body?.content === content;
  const inboundEvent = (externalId: string, wanted = 'sent') => listedInbound(instanceId, externalId, { statuses: [wanted] });

  beforeAll(async () => {
    fake = await startFakeDiscord();
    alice = fake.addUser('alice', { global_name: 'Alice' });
    general = fake.guild.channels[0]!.id;
    hub = await startOmniWithEcho('discord');
  }, 90_000);
  afterAll(async () => {
    await hub?.close();
    await fake?.close();
  });

  it('connects an instance pointing at the fake Discord', async () => {
    const created = await api('POST', '/api/v2/instances', {
      name: 'discord-e2e',
      channel: 'discord',
      channelConfig: { botToken: fake.token, apiBaseUrl: fake.apiBase, reconnect: { baseDelayMs: 200, maxDelayMs: 1_000 } },
      agent: { apiUrl: hub.echo.url },
    });
    expect(created.status, created.raw).toBe(201);
    expect(created.raw).not.toContain(fake.token);
    instanceId = created.body.id;
    const connected = await waitForState(instanceId, 'connected');
    expect(connected.account).toEqual({ id: fake.bot.id, name: fake.bot.username });
    expect(fake.gateway.connectedSessions).toBe(1);
  });

  it('answers a user through the echo agent with POST channels/:id/messages, and the events API shows the trace', async () => {
    const message = fake.userMessage({ channelId: general, author: alice, content: 'hello omni' });
    const reply = await fake.waitForCall(botPost(general, 'Echo: hello omni'), { timeoutMs: 15_000 });
    expect(reply.authorized).toBe(true);

    const inbound = await inboundEvent(message.id);
    const trace = await api('GET', `/api/v2/events/${inbound.id}`);
    expect(trace.body).toMatchObject({ direction: 'inbound', status: 'sent', channel: 'discord', instanceId, textContent: 'hello omni', externalId: message.id });
    expect(trace.body.stages.map((s: { stage: string }) => s.stage)).toEqual(['received', 'access', 'debounce', 'agent_request', 'agent_response', 'channel_send', 'sent']);
    const all = await api('GET', `/api/v2/events?instanceId=${instanceId}&limit=100`);
    const outbound = all.body.items.find((e: { direction: string; traceId: string }) => e.direction === 'outbound' && e.traceId === trace.body.traceId);
    const sent = fake.history(general).find((m) => m.content === 'Echo: hello omni')!;
    expect(outbound).toMatchObject({ status: 'sent', externalId: sent.id, replyToEventId: inbound.id });
  });

  it('answers a DM in the DM channel', async () => {
    const dm = fake.dmChannel(alice.id);
    fake.userMessage({ channelId: dm.id, author: alice, content: 'just us' });
    await fake.waitForCall(botPost(dm.id, 'Echo: just us'), { timeoutMs: 15_000 });
  });

  it('splits a reply longer than 2000 characters into Discord-sized messages', async () => {
    const long = `${'word '.repeat(450)}end`;
    const message = fake.userMessage({ channelId: general, author: alice, content: long });
    await inboundEvent(message.id);
    const parts = fake.calls.filter((c) => c.method === 'POST' && c.route === `/channels/${general}/messages` && c.status === 200 && c.at >= Date.parse(message.timestamp));
    expect(parts.length).toBeGreaterThanOrEqual(2);
    for (const part of parts) expect((part.body?.content as string).length).toBeLessThanOrEqual(2000);
    expect(parts.map((p) => p.body?.content as string).join(' ').replace(/\s+/g, ' ')).toBe(`Echo: ${long}`.replace(/\s+/g, ' '));
  });

  it('round-trips media: an attachment comes in, is stored, and goes back out as files[0] byte for byte', async () => {
    const bytes = Buffer.from(TINY_PNG_BASE64, 'base64');
    const message = fake.userMessage({ channelId: general, author: alice, content: 'my picture', files: [{ filename: 'pixel.png', contentType: 'image/png', data: bytes }] });
    await fake.waitForCall(botPost(general, 'Echo: my picture'), { timeoutMs: 15_000 });
    const inbound = await inboundEvent(message.id);
    const event = (await api('GET', `/api/v2/events/${inbound.id}`)).body;
    expect(event).toMatchObject({ contentType: 'image', textContent: 'my picture' });
    expect(event.payload.content.media).toMatchObject({ mimeType: 'image/png', size: bytes.length, filename: 'pixel.png', storageKey: expect.any(String) });
    const stored = await media(event.payload.content.media.storageKey);
    expect(stored.status).toBe(200);
    const storedBytes = stored.bytes;
    expect(storedBytes.equals(bytes)).toBe(true);

    const sent = await api('POST', '/api/v2/messages/media', { instanceId, to: general, type: 'image', base64: storedBytes.toString('base64'), mimeType: 'image/png', filename: 'back.png', caption: 'right back' });
    expect(sent.status, sent.raw).toBe(200);
    const upload = await fake.waitForCall((c) => c.method === 'POST' && c.body?.content === 'right back');
    expect(upload.files).toHaveLength(1);
    expect(upload.files[0]).toMatchObject({ field: 'files[0]', filename: 'back.png', contentType: 'image/png' });
    expect(upload.files[0]!.data.equals(bytes)).toBe(true);
  });

  it('carries reactions both ways', async () => {
    const message = fake.userMessage({ channelId: general, author: alice, content: 'react to this' });
    await fake.waitForCall(botPost(general, 'Echo: react to this'), { timeoutMs: 15_000 });
    fake.userReaction({ channelId: general, messageId: message.id, user: alice, emoji: '🎉' });
    const reaction = await listedInbound(instanceId, (id) => id.startsWith(`${message.id}:reaction:${alice.id}:`), { statuses: 'any' });
    expect(reaction.contentType).toBe('reaction');

    const res = await api('POST', '/api/v2/messages/reaction', { instanceId, to: general, messageId: message.id, emoji: '👍' });
    expect(res.status, res.raw).toBe(200);
    const call = await fake.waitForCall((c) => c.method === 'PUT' && c.route === `/channels/${general}/messages/${message.id}/reactions/${encodeURIComponent('👍')}/@me`);
    expect(call.status).toBe(204);
  });

  it('updates the bot profile, checks recipients, fetches profiles and imports history through the HTTP API', async () => {
    const profile = await api('PUT', `/api/v2/instances/${instanceId}/profile`, { username: 'omni-helper', avatar: `data:image/png;base64,${TINY_PNG_BASE64}`, activity: { type: 'listening', text: 'your messages' } });
    expect(profile.status, profile.raw).toBe(200);
    const patch = await fake.waitForCall((c) => c.method === 'PATCH' && c.route === '/users/@me');
    expect(patch.body).toMatchObject({ username: 'omni-helper', avatar: expect.stringMatching(/^data:image\/png;base64,/) });
    const presence = await waitFor('a presence update', () => fake.gatewayOps.findLast((o) => o.op === 3));
    expect(presence.d).toMatchObject({ activities: [{ name: 'your messages', type: 2 }] });

    const recipient = await api('POST', `/api/v2/instances/${instanceId}/validate-recipient`, { recipient: alice.id });
    expect(recipient.body).toMatchObject({ valid: true, exists: true, normalized: `user:${alice.id}`, profile: { name: 'Alice' } });
    const user = await api('GET', `/api/v2/instances/${instanceId}/profile/${alice.id}`);
    expect(user.body).toMatchObject({ platformUserId: alice.id, name: 'Alice', username: 'alice' });

    const archive = fake.guild.channels[1]!.id;
    const old = ['archived 1', 'archived 2', 'archived 3'].map((content) => fake.seedMessage({ channelId: archive, author: alice, content }));
    const started = await api('POST', `/api/v2/instances/${instanceId}/sync`, { syncContacts: false, syncChats: true, syncMessages: true, discord: { channelIds: [archive], maxMessagesPerChannel: 2 } });
    expect(started.status, started.raw).toBe(202);
    const done = await waitFor('the sync to finish', async () => {
      const s = (await api('GET', `/api/v2/instances/${instanceId}/sync/status`)).body;
      return s.inProgress === false && s.lastSync ? s : undefined;
    });
    expect(done).toMatchObject({ chatsCount: 1, messagesCount: 2 });
    const imported = await inboundEvent(old[2]!.id, 'skipped');
    expect(imported).toBeTruthy();
    const events = (await api('GET', `/api/v2/events?instanceId=${instanceId}&direction=inbound&limit=100`)).body.items as Array<{ externalId: string }>;
    expect(events.some((e) => e.externalId === old[0]!.id)).toBe(false);
    // History is never answered.
    await new Promise((r) => setTimeout(r, 500));
    expect(fake.calls.some((c) => c.method === 'POST' && c.body?.content === 'Echo: archived 3')).toBe(false);
  });

  it('resumes after the gateway drops, and answers again', async () => {
    const resumes = fake.gateway.resumes;
    fake.gateway.dropConnections(4000);
    await waitForState(instanceId, 'reconnecting', 5_000);
    await waitForState(instanceId, 'connected');
    expect(fake.gateway.resumes).toBe(resumes + 1);
    fake.userMessage({ channelId: general, author: alice, content: 'after the drop' });
    await fake.waitForCall(botPost(general, 'Echo: after the drop'), { timeoutMs: 15_000 });
  });

  it('stays disconnected when told to, then reconnects and answers', async () => {
    expect((await api('POST', `/api/v2/instances/${instanceId}/disconnect`)).status).toBe(200);
    await waitForState(instanceId, 'disconnected');
    await waitFor('the gateway session to close', () => fake.gateway.connectedSessions === 0 || undefined);
    fake.gateway.dropConnections(4000);
    await new Promise((r) => setTimeout(r, 800));
    expect((await status(instanceId)).state).toBe('disconnected');
    expect(fake.gateway.connectedSessions).toBe(0);

    expect((await api('POST', `/api/v2/instances/${instanceId}/connect`)).status).toBe(200);
    await waitForState(instanceId, 'connected');
    fake.userMessage({ channelId: general, author: alice, content: 'are you back?' });
    await fake.waitForCall(botPost(general, 'Echo: are you back?'), { timeoutMs: 15_000 });
  });

  it('comes back connected after a restart, with its stored token', async () => {
    await hub.restart(() => waitFor('the old session to end', () => fake.gateway.connectedSessions === 0 || undefined));
    await waitForState(instanceId, 'connected', 20_000);
    fake.userMessage({ channelId: general, author: alice, content: 'after restart' });
    await fake.waitForCall(botPost(general, 'Echo: after restart'), { timeoutMs: 15_000 });
  }, 90_000);

  it('shows a bad token as an error status, without a retry loop or the token anywhere', async () => {
    const created = await api('POST', '/api/v2/instances', { name: 'discord-bad-token', channel: 'discord', channelConfig: { botToken: 'definitely-wrong-token', apiBaseUrl: fake.apiBase } });
    expect(created.status).toBe(201);
    const failed = await waitForState(created.body.id, 'error');
    expect(failed.error).toMatchObject({ code: 'UNAUTHORIZED', retryable: false });
    expect(failed.error.message).toContain('bot token');
    const refused = fake.calls.filter((c) => !c.authorized).length;
    await new Promise((r) => setTimeout(r, 1_000));
    expect(fake.calls.filter((c) => !c.authorized).length).toBe(refused);
    expect(JSON.stringify(failed)).not.toContain('definitely-wrong');
    expect(JSON.stringify(hub.omni.logs)).not.toContain('definitely-wrong');
    expect(JSON.stringify(hub.omni.logs)).not.toContain(fake.token);
  });
});
