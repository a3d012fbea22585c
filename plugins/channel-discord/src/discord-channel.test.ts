import { generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelAdapter, ConnectionState } from '@omni/plugin-sdk';
import { startTestKernel, TINY_PNG_BASE64, waitFor, waitForConnectionState, type TestKernel } from '@omni/plugin-sdk/testing';
import { INTENTS, startFakeDiscord, type DiscordUser, type FakeDiscord } from '@omni/plugin-sdk/testing/discord';
import discordPlugin from './index.js';

describe('discord channel against the fake Discord', () => {
  let tk: TestKernel;
  let fake: FakeDiscord;
  let adapter: ChannelAdapter;
  let instanceId: string;
  let alice: DiscordUser;
  let general: string;
  const state = (id = instanceId) => tk.kernel.connections.status(id);
  const waitState = (states: ConnectionState[], id = instanceId) => waitForConnectionState(tk, id, states, 8_000);
  const received = (externalId: string) => tk.events.waitFor('message.received', (e) => e.payload.message.externalId === externalId);
  const config = (extra: Record<string, unknown> = {}) => ({ botToken: fake.token, apiBaseUrl: fake.apiBase, reconnect: { baseDelayMs: 400, maxDelayMs: 3_000 }, ...extra });

  beforeAll(async () => {
    fake = await startFakeDiscord();
    tk = await startTestKernel({ plugins: [discordPlugin] });
    adapter = tk.kernel.channels.get('discord')!.adapter as ChannelAdapter;
    instanceId = (await tk.createInstance({ channel: 'discord', channelConfig: config() })).id;
    await waitState(['connected']);
    alice = fake.addUser('alice', { global_name: 'Alice', avatar: 'abc123' });
    general = fake.guild.channels[0]!.id;
  });
  afterAll(async () => {
    await tk?.stop();
    await fake?.close();
  });

  it('identifies with the intents DMs, guild messages, content and reactions need, and reports the bot account', () => {
    const [intents] = fake.gateway.sessionIntents();
    for (const bit of [INTENTS.guilds, INTENTS.guildMessages, INTENTS.directMessages, INTENTS.messageContent, INTENTS.guildMessageReactions, INTENTS.directMessageReactions]) expect(intents! & bit).toBe(bit);
    expect(state().account).toEqual({ id: fake.bot.id, name: fake.bot.username });
    expect(JSON.stringify(state())).not.toContain(fake.token);
  });

  it('receives a DM with the sender profile and the Discord message id', async () => {
    const dm = fake.dmChannel(alice.id);
    const msg = fake.userMessage({ channelId: dm.id, author: alice, content: 'hello in private' });
    const event = await received(msg.id);
    expect(event.payload.message).toMatchObject({
      externalId: msg.id,
      chatId: dm.id,
      chatType: 'dm',
      sender: { id: alice.id, name: 'Alice', username: 'alice', avatarUrl: `https://cdn.discordapp.com/avatars/${alice.id}/abc123.png` },
      content: { type: 'text', text: 'hello in private' },
    });
  });

  it('receives guild messages as groups with replies and mentions, and threads with threadId', async () => {
    const first = fake.userMessage({ channelId: general, author: alice, content: 'first' });
    await received(first.id);
    const reply = fake.userMessage({ channelId: general, author: alice, content: 'hey bot', replyTo: first.id, mentions: [fake.bot] });
    expect((await received(reply.id)).payload.message).toMatchObject({ chatId: general, chatType: 'group', replyTo: first.id, mentions: [fake.bot.id] });

    const thread = fake.addThread(general, 'help thread');
    const inThread = fake.userMessage({ channelId: thread.id, author: alice, content: 'in a thread' });
    expect((await received(inThread.id)).payload.message).toMatchObject({ chatId: general, chatType: 'thread', threadId: thread.id });
    const sent = await tk.kernel.messages.send({ instanceId, to: general, threadId: thread.id, content: { type: 'text', text: 'thread answer' } });
    expect(sent.ok).toBe(true);
    expect(fake.history(thread.id).at(-1)).toMatchObject({ content: 'thread answer', author: { id: fake.bot.id } });
  });

  it('downloads attachments and stores them with mime type and size', async () => {
    const png = Buffer.from(TINY_PNG_BASE64, 'base64');
    const msg = fake.userMessage({ channelId: general, author: alice, content: 'look', files: [{ filename: 'pixel.png', contentType: 'image/png', data: png }, { filename: 'notes.txt', contentType: 'text/plain', data: Buffer.from('notes') }] });
    const image = (await received(msg.id)).payload.message.content;
    expect(image).toMatchObject({ type: 'image', caption: 'look', media: { mimeType: 'image/png', size: png.length, filename: 'pixel.png', storageKey: expect.any(String) } });
    const doc = (await received(`${msg.id}:1`)).payload.message.content;
    expect(doc).toMatchObject({ type: 'document', media: { mimeType: 'text/plain', size: 5 } });
    const stored = await tk.kernel.media.get((image as { media: { storageKey: string } }).media.storageKey);
    expect(stored?.data).toEqual(png);
  });

  it('turns edits, deletes and reactions into change and reaction messages', async () => {
    const msg = fake.userMessage({ channelId: general, author: alice, content: 'tpyo' });
    await received(msg.id);
    fake.userEdit(general, msg.id, 'typo');
    const edit = await tk.events.waitFor('message.received', (e) => e.payload.message.change?.kind === 'edit' && e.payload.message.change.targetId === msg.id);
    expect(edit.payload.message.content).toEqual({ type: 'text', text: 'typo' });
    fake.userReaction({ channelId: general, messageId: msg.id, user: alice, emoji: '🔥' });
    const reaction = await tk.events.waitFor('message.received', (e) => e.payload.message.content.type === 'reaction' && e.payload.message.sender.id === alice.id);
    expect(reaction.payload.message.content).toEqual({ type: 'reaction', messageId: msg.id, emoji: '🔥' });
    fake.userDelete(general, msg.id);
    const del = await tk.events.waitFor('message.received', (e) => e.payload.message.change?.kind === 'delete' && e.payload.message.change.targetId === msg.id);
    expect(del.payload.message.externalId).toBe(`${msg.id}:delete`);
  });

  it('never ingests its own messages', async () => {
    const sent = await tk.kernel.messages.send({ instanceId, to: general, content: { type: 'text', text: 'from the bot' } });
    expect(sent.ok).toBe(true);
    const own = fake.history(general).at(-1)!;
    expect(own.author.id).toBe(fake.bot.id);
    const probe = fake.userMessage({ channelId: general, author: alice, content: 'after the bot' });
    await received(probe.id);
    expect(tk.events.ofType('message.received').some((e) => e.payload.message.externalId === own.id)).toBe(false);
  });

  it('replies, edits, deletes, reacts and types through REST', async () => {
    const target = fake.userMessage({ channelId: general, author: alice, content: 'answer me' });
    await received(target.id);
    const from = fake.calls.length;
    const reply = await adapter.send(instanceId, { id: 'o-1', to: general, replyTo: target.id, content: { type: 'text', text: 'answered' } });
    expect(reply.ok).toBe(true);
    const externalId = (reply as { externalId: string }).externalId;
    expect(fake.history(general).find((m) => m.id === externalId)).toMatchObject({ message_reference: { message_id: target.id } });
    expect(await adapter.edit!(instanceId, { chatId: general, messageId: externalId }, 'answered (edited)')).toMatchObject({ ok: true });
    expect(await adapter.send(instanceId, { id: 'o-2', to: general, content: { type: 'reaction', messageId: target.id, emoji: '👍' } })).toMatchObject({ ok: true });
    await adapter.typing!(instanceId, general, 'composing');
    expect(await adapter.delete!(instanceId, { chatId: general, messageId: externalId })).toMatchObject({ ok: true });
    expect(fake.calls.slice(from).map((c) => `${c.method} ${c.route.replace(/\d{10,}/g, ':id')} ${c.status}`)).toEqual([
      'POST /channels/:id/messages 200',
      'PATCH /channels/:id/messages/:id 200',
      `PUT /channels/:id/messages/:id/reactions/${encodeURIComponent('👍')}/@me 204`,
      'POST /channels/:id/typing 204',
      'DELETE /channels/:id/messages/:id 204',
    ]);
  });

  it('sends a file as multipart files[0] with its caption, and opens a DM for user:<id>', async () => {
    const res = await adapter.send(instanceId, { id: 'o-3', to: `user:${alice.id}`, content: { type: 'image', media: { base64: TINY_PNG_BASE64, mimeType: 'image/png', filename: 'p.png' }, caption: 'a pixel' } });
    expect(res.ok).toBe(true);
    const upload = fake.calls.at(-1)!;
    expect(upload.route).toBe(`/channels/${fake.dmChannel(alice.id).id}/messages`);
    expect(upload.files).toMatchObject([{ field: 'files[0]', filename: 'p.png', contentType: 'image/png', size: Buffer.from(TINY_PNG_BASE64, 'base64').length }]);
    expect(upload.body).toMatchObject({ content: 'a pixel' });
  });

  it('fails a send on 429 with retry-after, and on 403 with Discord\'s reason', async () => {
    fake.failNext({ kind: 'rate-limit', retryAfterSeconds: 2 }, { method: 'POST', route: /\/messages$/ });
    const limited = await tk.kernel.messages.send({ instanceId, to: general, content: { type: 'text', text: 'too fast' } });
    expect(limited).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', retryable: true } });
    expect((limited as { error: { retryAfterMs: number } }).error.retryAfterMs).toBeGreaterThanOrEqual(2_000);
    fake.failNext({ kind: 'missing-permissions' }, { method: 'POST', route: /\/messages$/ });
    const forbidden = await tk.kernel.messages.send({ instanceId, to: general, content: { type: 'text', text: 'not allowed' } });
    expect(forbidden).toMatchObject({ ok: false, error: { code: 'DISCORD_50013', message: expect.stringContaining('Missing Permissions'), retryable: false } });
    const failed = await tk.events.waitFor('message.failed', (e) => e.payload.messageId === forbidden.messageId);
    expect(failed.payload.error).toContain('Missing Permissions');
    const tooLong = await tk.kernel.messages.send({ instanceId, to: general, content: { type: 'text', text: 'x'.repeat(2001) } });
    expect(tooLong).toMatchObject({ ok: false, error: { code: 'DISCORD_50035' } });
  });

  it('updates the bot profile: username and avatar over REST, activity over the gateway', async () => {
    await adapter.updateProfile!(instanceId, { username: 'omni-bot', avatar: TINY_PNG_BASE64, activity: { type: 'watching', text: 'the inbox' } });
    const patch = fake.calls.findLast((c) => c.method === 'PATCH' && c.route === '/users/@me')!;
    expect(patch.body).toEqual({ username: 'omni-bot', avatar: `data:image/png;base64,${TINY_PNG_BASE64}` });
    expect(fake.bot.username).toBe('omni-bot');
    const presence = await waitFor('a presence update', () => fake.gatewayOps.findLast((o) => o.op === 3), 8_000);
    expect(presence.d).toMatchObject({ activities: [{ name: 'the inbox', type: 3 }] });
    await expect(adapter.updateProfile!(instanceId, { username: 'x' })).rejects.toMatchObject({ code: 'PLATFORM_ERROR', message: expect.stringContaining('Invalid Form Body') });
  });

  it('fetches profiles and validates recipients', async () => {
    expect(await adapter.fetchProfile!(instanceId, alice.id)).toMatchObject({ platformUserId: alice.id, name: 'Alice', username: 'alice', isBot: false });
    await expect(adapter.fetchProfile!(instanceId, '1234567890')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await adapter.validateRecipient!(instanceId, general)).toMatchObject({ valid: true, exists: true, normalized: general, profile: { name: 'general' } });
    expect(await adapter.validateRecipient!(instanceId, alice.id)).toMatchObject({ valid: true, exists: true, normalized: `user:${alice.id}`, profile: { name: 'Alice' } });
    expect(await adapter.validateRecipient!(instanceId, 'not-an-id')).toMatchObject({ valid: false, exists: false });
  });

  it('imports history with sync: channels, threads, at most maxMessagesPerChannel each, never routed', async () => {
    const random = fake.guild.channels[1]!.id;
    for (const text of ['old 1', 'old 2']) fake.seedMessage({ channelId: random, author: alice, content: text });
    fake.seedMessage({ channelId: random, author: alice, content: 'old file', files: [{ filename: 'a.png', contentType: 'image/png', data: Buffer.from(TINY_PNG_BASE64, 'base64') }] });
    const thread = fake.addThread(random, 'old thread');
    fake.seedMessage({ channelId: thread.id, author: alice, content: 'thread history' });
    const progress: unknown[] = [];
    const report = await adapter.sync!(instanceId, { syncContacts: false, syncChats: true, syncMessages: true, discord: { channelIds: [random], includeThreads: true, maxMessagesPerChannel: 2 } }, (p) => progress.push(p));
    expect(report).toEqual({ chatsCount: 2, messagesCount: 3, contactsCount: 1 });
    const history = await waitFor('three history messages', () => {
      const h = tk.events.ofType('message.received').filter((e) => e.payload.message.ingestMode === 'history').map((e) => e.payload.message);
      return h.length >= 3 && h;
    }, 8_000);
    expect(history.map((m) => m.content)).toEqual([
      { type: 'text', text: 'old 2' },
      // processMedia is off: the attachment keeps Discord's URL instead of being downloaded.
      { type: 'image', caption: 'old file', media: { url: expect.stringContaining(fake.url), mimeType: 'image/png', filename: 'a.png', size: 70 } },
      { type: 'text', text: 'thread history' },
    ]);
    expect(history[2]).toMatchObject({ chatType: 'thread', chatId: random, threadId: thread.id });
    expect(progress.at(-1)).toEqual({ stage: 'messages', current: 2, total: 2 });
  });

  it('resumes after the gateway drops the connection, showing reconnecting in between', async () => {
    const resumes = fake.gateway.resumes;
    fake.gateway.dropConnections(4000);
    await waitState(['reconnecting']);
    expect(state().reconnect).toMatchObject({ attempt: 1, nextAttemptAt: expect.any(String) });
    await waitState(['connected']);
    expect(fake.gateway.resumes).toBe(resumes + 1);
    const after = fake.userMessage({ channelId: general, author: alice, content: 'still here' });
    await received(after.id);
  });

  it('backs off exponentially with jitter during an outage and comes back when the gateway does', async () => {
    const from = tk.events.ofType('instance.status').length;
    fake.gateway.refuseConnections(true);
    fake.gateway.dropConnections(4000);
    const reconnecting = () =>
      tk.events
        .ofType('instance.status')
        .slice(from)
        .filter((e) => e.metadata.instanceId === instanceId && e.payload.status.state === 'reconnecting')
        .map((e) => e.payload.status);
    const seen = await waitFor('three reconnect attempts', () => reconnecting().length >= 3 && reconnecting(), 10_000);
    expect(seen.map((s) => s.reconnect!.attempt).slice(0, 3)).toEqual([1, 2, 3]);
    // base 400 ms doubled twice is 1600 ms; with equal jitter the third wait is at least half of that.
    const third = seen[2]!;
    expect(Date.parse(third.reconnect!.nextAttemptAt) - Date.parse(third.since)).toBeGreaterThanOrEqual(790);
    expect(fake.gateway.connectedSessions).toBe(0);
    fake.gateway.refuseConnections(false);
    await waitState(['connected']);
    expect(fake.gateway.connectedSessions).toBe(1);
  });

  it('stays disconnected after a deliberate disconnect during an outage', async () => {
    fake.gateway.refuseConnections(true);
    fake.gateway.dropConnections(4000);
    await waitState(['reconnecting']);
    await tk.kernel.connections.disconnect(instanceId);
    fake.gateway.refuseConnections(false);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(state().state).toBe('disconnected');
    expect(fake.gateway.connectedSessions).toBe(0);
    await tk.kernel.connections.connect(instanceId);
    await waitState(['connected']);
  });

  it('reports a bad token as an error status once, with no retry loop and no secret', async () => {
    const bad = await tk.createInstance({ channel: 'discord', channelConfig: config({ botToken: 'wrong-token-do-not-log' }) });
    const status = await waitState(['error'], bad.id);
    expect(status.error).toMatchObject({ code: 'UNAUTHORIZED', retryable: false });
    const attempts = fake.calls.filter((c) => !c.authorized).length;
    await new Promise((r) => setTimeout(r, 700));
    expect(fake.calls.filter((c) => !c.authorized).length).toBe(attempts);
    expect(JSON.stringify(state(bad.id))).not.toContain('wrong-token-do-not-log');
  });

  it('keeps trying with backoff while Discord is unreachable, and connects once it is back', async () => {
    const later = await startFakeDiscord();
    const port = Number(new URL(later.url).port);
    const { token, apiBase } = later;
    await later.close();
    const inst = await tk.createInstance({ channel: 'discord', channelConfig: { botToken: token, apiBaseUrl: apiBase, reconnect: { baseDelayMs: 100, maxDelayMs: 400 } } });
    const down = await waitFor('two failed logins', () => state(inst.id).reconnect && state(inst.id).reconnect!.attempt >= 2 && state(inst.id), 10_000);
    expect(down).toMatchObject({ state: 'reconnecting', error: { code: 'PLATFORM_UNREACHABLE', retryable: true } });
    const back = await startFakeDiscord({ token, port });
    try {
      await waitState(['connected'], inst.id);
      expect(back.gateway.connectedSessions).toBe(1);
    } finally {
      await tk.kernel.connections.disconnect(inst.id);
      await back.close();
    }
  });

  it('reports gateway close 4004 as a bad token too', async () => {
    // REST accepts the token but the gateway refuses it: IDENTIFY with a token the fake does not know.
    const gatewayOnly = await startFakeDiscord();
    const restToken = gatewayOnly.token;
    Object.defineProperty(gatewayOnly.gateway, 'deps', { value: { ...(gatewayOnly.gateway as unknown as { deps: object }).deps, token: () => `${restToken}-rotated` } });
    const inst = await tk.createInstance({ channel: 'discord', channelConfig: { botToken: restToken, apiBaseUrl: gatewayOnly.apiBase } });
    const status = await waitState(['error'], inst.id);
    expect(status.error).toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining('4004') });
    await tk.kernel.connections.disconnect(inst.id);
    await gatewayOnly.close();
  });
});

describe('discord webhook ingress (Ed25519-signed)', () => {
  let tk: TestKernel;
  let fake: FakeDiscord;
  let instanceId: string;
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicKeyHex = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
  const signed = (body: unknown, at = Math.floor(Date.now() / 1000)) => {
    const raw = JSON.stringify(body);
    const signature = sign(null, Buffer.concat([Buffer.from(String(at)), Buffer.from(raw)]), privateKey).toString('hex');
    return { raw, headers: { 'content-type': 'application/json', 'x-signature-ed25519': signature, 'x-signature-timestamp': String(at) } };
  };
  const post = (s: { raw: string; headers: Record<string, string> }) => tk.http.request('POST', `/api/v2/webhooks/discord/${instanceId}`, { rawBody: s.raw, headers: s.headers });

  beforeAll(async () => {
    fake = await startFakeDiscord();
    tk = await startTestKernel({ plugins: [discordPlugin] });
    instanceId = (await tk.createInstance({ channel: 'discord', channelConfig: { botToken: fake.token, apiBaseUrl: fake.apiBase, ingress: 'webhook', publicKey: publicKeyHex } })).id;
    await waitFor('connected', () => tk.kernel.connections.status(instanceId).state === 'connected', 8_000);
  });
  afterAll(async () => {
    await tk?.stop();
    await fake?.close();
  });

  it('needs publicKey for webhook ingress', async () => {
    await expect(tk.createInstance({ channel: 'discord', channelConfig: { botToken: 'x', ingress: 'webhook' } })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
  });

  it('holds no gateway connection and answers an interactions PING', async () => {
    expect(fake.gateway.connectedSessions).toBe(0);
    const res = await post(signed({ type: 1 }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ type: 1 });
  });

  it('refuses wrong, missing and stale signatures with 401', async () => {
    const good = signed({ type: 1 });
    expect((await post({ raw: good.raw.replace('1', '2'), headers: good.headers })).status).toBe(401);
    expect((await tk.http.request('POST', `/api/v2/webhooks/discord/${instanceId}`, { rawBody: good.raw, headers: { 'content-type': 'application/json' } })).status).toBe(401);
    const stale = await post(signed({ type: 1 }, Math.floor(Date.now() / 1000) - 600));
    expect(stale.status).toBe(401);
    expect(stale.body.error.code).toBe('UNAUTHORIZED');
  });

  it('ingests a relayed MESSAGE_CREATE like the gateway would, once', async () => {
    const alice = fake.addUser('alice');
    const msg = fake.seedMessage({ channelId: fake.guild.channels[0]!.id, author: alice, content: 'via relay' });
    const event = signed({ t: 'MESSAGE_CREATE', d: { ...msg, guild_id: fake.guild.id } });
    const res = await post(event);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ received: true, duplicate: false, eventIds: [expect.any(String)] });
    const received = await tk.events.waitFor('message.received', (e) => e.payload.message.externalId === msg.id);
    expect(received.payload.message).toMatchObject({ chatType: 'group', sender: { id: alice.id }, content: { type: 'text', text: 'via relay' } });
    expect((await post(event)).body).toMatchObject({ duplicate: true });
  });

  it('answers 400 in the error envelope for unknown payloads', async () => {
    const res = await post(signed({ t: 'GUILD_DELETE', d: {} }));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
  });
});

describe('discord plugin loading', () => {
  it('offers exactly the methods its lazily loaded implementation has', async () => {
    const { createDiscordAdapter } = await import('./discord-adapter.js');
    const { DISCORD_ADAPTER_METHODS } = await import('./index.js');
    const implemented = Object.keys(createDiscordAdapter()).filter((k) => !['connect', 'disconnect', 'send'].includes(k));
    expect([...DISCORD_ADAPTER_METHODS].sort()).toEqual(implemented.sort());
  });
});
