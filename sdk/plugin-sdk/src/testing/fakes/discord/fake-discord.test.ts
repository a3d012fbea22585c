import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { INTENTS, startFakeDiscord, type FakeDiscord } from './index.js';

interface GatewayPayload {
  op: number;
  t: string | null;
  d: any;
  s: number | null;
}

/** A bare gateway client: records every payload and can wait for one. */
async function gatewayClient(fake: FakeDiscord) {
  const info: any = await (await api(fake, 'GET', '/gateway/bot')).json();
  const ws = new WebSocket(`${info.url}?v=10&encoding=json`);
  const received: GatewayPayload[] = [];
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  ws.on('message', (data) => received.push(JSON.parse(data.toString()) as GatewayPayload));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const next = async (match: (p: GatewayPayload) => boolean, from = 0) => {
    const deadline = Date.now() + 3_000;
    for (;;) {
      const hit = received.slice(from).find(match);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error('no matching gateway payload');
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return { ws, received, closed, next, send: (p: unknown) => ws.send(JSON.stringify(p)) };
}

function api(fake: FakeDiscord, method: string, route: string, body?: unknown, token = fake.token) {
  return fetch(`${fake.apiBase}/v10${route}`, {
    method,
    headers: { authorization: `Bot ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const ALL = INTENTS.guilds | INTENTS.guildMessages | INTENTS.directMessages | INTENTS.messageContent | INTENTS.guildMessageReactions;

describe('fake discord', () => {
  let fake: FakeDiscord;
  beforeEach(async () => {
    fake = await startFakeDiscord();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('points the gateway at itself and answers users/@me only with the right token', async () => {
    const info: any = await (await api(fake, 'GET', '/gateway/bot')).json();
    expect(info.url).toBe(fake.url.replace('http', 'ws'));
    const me = await api(fake, 'GET', '/users/@me');
    expect(await me.json()).toMatchObject({ id: fake.bot.id, bot: true });
    const bad = await api(fake, 'GET', '/users/@me', undefined, 'wrong');
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ code: 0, message: '401: Unauthorized' });
    expect(fake.calls.map((c) => [c.route, c.authorized, c.status])).toEqual([
      ['/gateway/bot', true, 200],
      ['/users/@me', true, 200],
      ['/users/@me', false, 401],
    ]);
  });

  it('does HELLO, IDENTIFY -> READY + GUILD_CREATE, heartbeat ACK and records presence updates', async () => {
    const c = await gatewayClient(fake);
    const hello = await c.next((p) => p.op === 10);
    expect(hello.d.heartbeat_interval).toBeGreaterThan(0);
    c.send({ op: 2, d: { token: fake.token, intents: ALL, properties: {} } });
    const ready = await c.next((p) => p.t === 'READY');
    expect(ready.d).toMatchObject({ user: { id: fake.bot.id }, guilds: [{ id: fake.guild.id, unavailable: true }], session_id: expect.any(String) });
    const guild = await c.next((p) => p.t === 'GUILD_CREATE');
    expect(guild.d.channels.map((ch: { name: string }) => ch.name)).toEqual(['general', 'random']);
    c.send({ op: 1, d: ready.s });
    await c.next((p) => p.op === 11);
    c.send({ op: 3, d: { since: null, activities: [{ name: 'tests', type: 0 }], status: 'online', afk: false } });
    await expect.poll(() => fake.gatewayOps.map((o) => o.op)).toEqual([2, 1, 3]);
    c.ws.close();
  });

  it('closes the gateway with 4004 for a wrong token', async () => {
    const c = await gatewayClient(fake);
    c.send({ op: 2, d: { token: 'nope', intents: ALL } });
    expect(await c.closed).toBe(4004);
  });

  it('dispatches user messages, edits, deletes and reactions by intent, hiding content without MESSAGE_CONTENT', async () => {
    const full = await gatewayClient(fake);
    full.send({ op: 2, d: { token: fake.token, intents: ALL } });
    const bare = await gatewayClient(fake);
    bare.send({ op: 2, d: { token: fake.token, intents: INTENTS.guilds | INTENTS.guildMessages } });
    await fake.waitForSessions(2);
    const alice = fake.addUser('alice');
    const general = fake.guild.channels[0]!.id;
    const sent = fake.userMessage({ channelId: general, author: alice, content: 'hi', files: [{ filename: 'a.txt', contentType: 'text/plain', data: Buffer.from('file body') }] });
    const got = await full.next((p) => p.t === 'MESSAGE_CREATE');
    expect(got.d).toMatchObject({ id: sent.id, channel_id: general, guild_id: fake.guild.id, content: 'hi', author: { id: alice.id } });
    const cdn = await fetch(got.d.attachments[0].url);
    expect(cdn.headers.get('content-type')).toBe('text/plain');
    expect(await cdn.text()).toBe('file body');
    const hidden = await bare.next((p) => p.t === 'MESSAGE_CREATE');
    expect(hidden.d).toMatchObject({ id: sent.id, content: '', attachments: [] });

    const dm = fake.dmChannel(alice.id);
    fake.userMessage({ channelId: dm.id, author: alice, content: 'private' });
    const dmEvent = await full.next((p) => p.t === 'MESSAGE_CREATE' && p.d.channel_id === dm.id);
    expect(dmEvent.d).toMatchObject({ channel_type: 1, content: 'private' });
    expect(dmEvent.d.guild_id).toBeUndefined();

    fake.userEdit(general, sent.id, 'hi (edited)');
    fake.userReaction({ channelId: general, messageId: sent.id, user: alice, emoji: '🔥' });
    fake.userDelete(general, sent.id);
    expect((await full.next((p) => p.t === 'MESSAGE_UPDATE')).d).toMatchObject({ id: sent.id, content: 'hi (edited)', edited_timestamp: expect.any(String) });
    expect((await full.next((p) => p.t === 'MESSAGE_REACTION_ADD')).d).toMatchObject({ message_id: sent.id, user_id: alice.id, emoji: { name: '🔥' } });
    expect((await full.next((p) => p.t === 'MESSAGE_DELETE')).d).toMatchObject({ id: sent.id, channel_id: general });
    // no DIRECT_MESSAGES intent: no DM, no reaction
    expect(bare.received.some((p) => p.d?.channel_id === dm.id)).toBe(false);
    expect(bare.received.some((p) => p.t === 'MESSAGE_REACTION_ADD')).toBe(false);
    full.ws.close();
    bare.ws.close();
  });

  it('resumes a dropped session', async () => {
    const c = await gatewayClient(fake);
    c.send({ op: 2, d: { token: fake.token, intents: ALL } });
    const ready = await c.next((p) => p.t === 'READY');
    fake.gateway.dropConnections(4000);
    expect(await c.closed).toBe(4000);
    const again = await gatewayClient(fake);
    again.send({ op: 6, d: { token: fake.token, session_id: ready.d.session_id, seq: 2 } });
    await again.next((p) => p.t === 'RESUMED');
    expect(fake.gateway.resumes).toBe(1);
    again.ws.close();
  });

  it('creates, edits, reacts to and deletes messages over REST, with JSON and multipart bodies', async () => {
    const channel = fake.guild.channels[0]!.id;
    const created: any = await (await api(fake, 'POST', `/channels/${channel}/messages`, { content: 'hello' })).json();
    expect(created).toMatchObject({ channel_id: channel, content: 'hello', author: { id: fake.bot.id } });

    const form = new FormData();
    form.append('payload_json', JSON.stringify({ content: 'a file', message_reference: { message_id: created.id }, attachments: [{ id: 0, filename: 'x.png' }] }));
    form.append('files[0]', new Blob([Buffer.from('png-bytes')], { type: 'image/png' }), 'x.png');
    const withFile: any = await (await fetch(`${fake.apiBase}/v10/channels/${channel}/messages`, { method: 'POST', headers: { authorization: `Bot ${fake.token}` }, body: form })).json();
    expect(withFile).toMatchObject({ content: 'a file', message_reference: { message_id: created.id }, attachments: [{ filename: 'x.png', size: 9, content_type: 'image/png' }] });
    const upload = fake.calls.at(-1)!;
    expect(upload.files).toMatchObject([{ field: 'files[0]', filename: 'x.png', contentType: 'image/png', size: 9 }]);

    expect((await api(fake, 'PATCH', `/channels/${channel}/messages/${created.id}`, { content: 'edited' })).status).toBe(200);
    const reaction = await api(fake, 'PUT', `/channels/${channel}/messages/${created.id}/reactions/${encodeURIComponent('👍')}/@me`);
    expect(reaction.status).toBe(204);
    expect(reaction.headers.get('content-type')).toBeNull();
    expect((await api(fake, 'POST', `/channels/${channel}/typing`)).status).toBe(204);
    expect((await api(fake, 'DELETE', `/channels/${channel}/messages/${created.id}`)).status).toBe(204);
    expect((await api(fake, 'DELETE', `/channels/${channel}/messages/${created.id}`)).status).toBe(404);
    expect(fake.history(channel).map((m) => m.content)).toEqual(['a file']);
  });

  it('refuses what Discord refuses: too long, empty, unknown channel', async () => {
    const channel = fake.guild.channels[0]!.id;
    const long = await api(fake, 'POST', `/channels/${channel}/messages`, { content: 'x'.repeat(2001) });
    expect(long.status).toBe(400);
    expect(await long.json()).toMatchObject({ code: 50035 });
    expect((await api(fake, 'POST', `/channels/${channel}/messages`, { content: '' })).status).toBe(400);
    const unknown = await api(fake, 'POST', '/channels/42/messages', { content: 'x' });
    expect(await unknown.json()).toMatchObject({ code: 10003 });
  });

  it('injects 429 with retry-after and 403 Missing Permissions, then answers normally', async () => {
    const channel = fake.guild.channels[0]!.id;
    fake.failNext({ kind: 'rate-limit', retryAfterSeconds: 3 }, { method: 'POST', route: /\/messages$/ });
    const limited = await api(fake, 'POST', `/channels/${channel}/messages`, { content: 'x' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect(await limited.json()).toMatchObject({ retry_after: 3, global: false });
    fake.failNext({ kind: 'missing-permissions' });
    const forbidden = await api(fake, 'POST', `/channels/${channel}/messages`, { content: 'x' });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toEqual({ message: 'Missing Permissions', code: 50013 });
    expect((await api(fake, 'POST', `/channels/${channel}/messages`, { content: 'x' })).status).toBe(200);
  });

  it('serves profile, users, DM channels, guild channels, threads and history', async () => {
    const alice = fake.addUser('alice', { global_name: 'Alice' });
    expect(await (await api(fake, 'GET', `/users/${alice.id}`)).json()).toMatchObject({ username: 'alice', global_name: 'Alice' });
    expect((await api(fake, 'GET', '/users/999')).status).toBe(404);
    const dm: any = await (await api(fake, 'POST', '/users/@me/channels', { recipient_id: alice.id })).json();
    expect(dm).toMatchObject({ type: 1, recipients: [{ id: alice.id }] });

    const renamed: any = await (await api(fake, 'PATCH', '/users/@me', { username: 'renamed-bot', avatar: 'data:image/png;base64,AAAA' })).json();
    expect(renamed).toMatchObject({ username: 'renamed-bot', avatar: expect.any(String) });
    expect((await api(fake, 'PATCH', '/users/@me', { avatar: 'not an image' })).status).toBe(400);

    const general = fake.guild.channels[0]!.id;
    const thread = fake.addThread(general, 'a thread');
    expect(((await (await api(fake, 'GET', `/guilds/${fake.guild.id}/channels`)).json()) as Array<{ id: string }>).map((c: { id: string }) => c.id)).toContain(general);
    expect(await (await api(fake, 'GET', `/guilds/${fake.guild.id}/threads/active`)).json()).toMatchObject({ threads: [{ id: thread.id, parent_id: general, type: 11 }] });

    for (const text of ['one', 'two', 'three']) fake.seedMessage({ channelId: general, author: alice, content: text });
    const page: any = await (await api(fake, 'GET', `/channels/${general}/messages?limit=2`)).json();
    expect(page.map((m: { content: string }) => m.content)).toEqual(['three', 'two']);
    const older: any = await (await api(fake, 'GET', `/channels/${general}/messages?limit=2&before=${page[1].id}`)).json();
    expect(older.map((m: { content: string }) => m.content)).toEqual(['one']);
  });
});
