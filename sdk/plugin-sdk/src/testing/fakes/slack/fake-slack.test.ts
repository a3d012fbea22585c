import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { signSlackRequest, startFakeSlack, type FakeSlack } from './index.js';

describe('fake slack', () => {
  let slack: FakeSlack;
  const form = (method: string, fields: Record<string, string>, token: string = slack.botToken) =>
    fetch(`${slack.apiUrl}${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: new URLSearchParams(fields).toString(),
    }).then(async (r) => ({ status: r.status, headers: r.headers, body: (await r.json()) as any }));
  const json = (method: string, body: unknown, token = slack.botToken) =>
    fetch(`${slack.apiUrl}${method}`, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${token}` }, body: JSON.stringify(body) }).then(
      async (r) => (await r.json()) as any,
    );

  beforeAll(async () => {
    slack = await startFakeSlack();
  });
  afterAll(() => slack.close());

  it('answers auth.test for the bot token and invalid_auth / not_authed otherwise, recording each call', async () => {
    expect((await form('auth.test', {})).body).toMatchObject({ ok: true, user_id: slack.botUserId, team_id: slack.teamId, bot_id: slack.botId });
    expect((await form('auth.test', {}, 'xoxb-wrong')).body).toEqual({ ok: false, error: 'invalid_auth' });
    expect((await form('auth.test', {}, '')).body).toEqual({ ok: false, error: 'not_authed' });
    expect((await form('auth.test', { token: slack.botToken }, '')).body.ok).toBe(true);
    expect(slack.callsTo('auth.test').map((c) => c.response.body.ok)).toEqual([true, false, false, true]);
    expect((await form('no.such.method', {})).body.error).toBe('unknown_method');
  });

  it('posts, threads, updates and deletes messages, with form or JSON bodies', async () => {
    const parent = await form('chat.postMessage', { channel: 'C100', text: 'parent' });
    expect(parent.body).toMatchObject({ ok: true, channel: 'C100', ts: expect.stringMatching(/^\d+\.\d{6}$/), message: { text: 'parent', user: slack.botUserId } });
    const reply = await json('chat.postMessage', { channel: 'C100', text: 'in thread', thread_ts: parent.body.ts });
    expect(reply).toMatchObject({ ok: true, message: { thread_ts: parent.body.ts } });
    expect((await json('chat.postMessage', { channel: 'C100', text: 'x', thread_ts: '1.000000' })).error).toBe('thread_not_found');
    expect((await json('chat.postMessage', { channel: 'C100' })).error).toBe('no_text');

    expect(await json('chat.update', { channel: 'C100', ts: parent.body.ts, text: 'edited' })).toMatchObject({ ok: true, text: 'edited' });
    expect(slack.workspace.message('C100', parent.body.ts)?.text).toBe('edited');
    const replies = await form('conversations.replies', { channel: 'C100', ts: parent.body.ts });
    expect(replies.body.messages.map((m: { text: string }) => m.text)).toEqual(['edited', 'in thread']);

    expect(await json('chat.delete', { channel: 'C100', ts: reply.ts })).toEqual({ ok: true, channel: 'C100', ts: reply.ts });
    expect((await json('chat.delete', { channel: 'C100', ts: reply.ts })).error).toBe('message_not_found');
  });

  it('adds and removes reactions on known messages only', async () => {
    const m = await json('chat.postMessage', { channel: 'C200', text: 'react to me' });
    expect(await json('reactions.add', { channel: 'C200', timestamp: m.ts, name: 'thumbsup' })).toEqual({ ok: true });
    expect((await json('reactions.add', { channel: 'C200', timestamp: m.ts, name: 'thumbsup' })).error).toBe('already_reacted');
    expect(slack.workspace.message('C200', m.ts)?.reactions).toEqual([{ name: 'thumbsup', users: [slack.botUserId] }]);
    expect(await json('reactions.remove', { channel: 'C200', timestamp: m.ts, name: 'thumbsup' })).toEqual({ ok: true });
    expect((await json('reactions.add', { channel: 'C200', timestamp: '9.000000', name: 'x' })).error).toBe('message_not_found');
  });

  it('runs the upload v2 flow and serves files only with the bot token', async () => {
    const bytes = Buffer.from('hello file');
    const slot = await form('files.getUploadURLExternal', { filename: 'hello.txt', length: String(bytes.length) });
    expect(slot.body).toMatchObject({ ok: true, upload_url: expect.stringContaining('/upload/v1/'), file_id: expect.any(String) });
    const multipart = new FormData();
    multipart.append('file', new Blob([bytes]), 'hello.txt');
    expect((await fetch(slot.body.upload_url, { method: 'POST', body: multipart })).status).toBe(200);
    expect(slack.uploads.get(slot.body.file_id)?.toString()).toBe('hello file');

    const done = await form('files.completeUploadExternal', { files: JSON.stringify([{ id: slot.body.file_id, title: 'Hello' }]), channel_id: 'C300', initial_comment: 'here' });
    expect(done.body.files[0]).toMatchObject({ id: slot.body.file_id, title: 'Hello', mimetype: 'text/plain', size: bytes.length, shares: { public: { C300: [{ ts: expect.any(String) }] } } });
    const shared = slack.workspace.history('C300')[0]!;
    expect(shared).toMatchObject({ text: 'here', files: [slot.body.file_id] });

    const url = done.body.files[0].url_private as string;
    const denied = await fetch(url);
    expect(denied.status).toBe(403);
    const download = await fetch(url, { headers: { authorization: `Bearer ${slack.botToken}` } });
    expect(Buffer.from(await download.arrayBuffer()).toString()).toBe('hello file');
    expect((await form('files.completeUploadExternal', { files: JSON.stringify([{ id: 'FNOPE' }]) })).body.error).toBe('file_not_found');
  });

  it('answers users.info, conversations.info and paged history', async () => {
    slack.addUser({ id: 'U1', name: 'ana', realName: 'Ana Lima', avatarUrl: 'https://a/ana.png' });
    expect((await form('users.info', { user: 'U1' })).body.user).toMatchObject({ id: 'U1', name: 'ana', real_name: 'Ana Lima', profile: { image_72: 'https://a/ana.png' } });
    expect((await form('users.info', { user: 'U404' })).body.error).toBe('user_not_found');
    slack.workspace.addChannel({ id: 'D1', type: 'im', user: 'U1' });
    expect((await form('conversations.info', { channel: 'D1' })).body.channel).toMatchObject({ id: 'D1', is_im: true, user: 'U1' });
    expect((await form('conversations.info', { channel: 'C404' })).body.error).toBe('channel_not_found');
    for (const text of ['one', 'two', 'three']) slack.workspace.addMessage({ channel: 'D1', user: 'U1', text });
    const first = await form('conversations.history', { channel: 'D1', limit: '2' });
    expect(first.body).toMatchObject({ has_more: true, response_metadata: { next_cursor: '2' } });
    expect(first.body.messages.map((m: { text: string }) => m.text)).toEqual(['three', 'two']);
    const second = await form('conversations.history', { channel: 'D1', limit: '2', cursor: '2' });
    expect(second.body.messages.map((m: { text: string }) => m.text)).toEqual(['one']);
  });

  it('injects rate limits with retry-after and platform errors, once each', async () => {
    slack.rateLimitNext('chat.postMessage', 7);
    const limited = await form('chat.postMessage', { channel: 'C1', text: 'x' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.body).toEqual({ ok: false, error: 'ratelimited' });
    slack.failNext('chat.postMessage', { error: 'not_in_channel' });
    slack.failNext('reactions.add', { error: 'missing_scope', extra: { needed: 'reactions:write' } });
    expect((await form('chat.postMessage', { channel: 'C1', text: 'x' })).body.error).toBe('not_in_channel');
    expect((await form('reactions.add', { channel: 'C1', timestamp: '1', name: 'x' })).body).toMatchObject({ error: 'missing_scope', needed: 'reactions:write' });
    expect((await form('chat.postMessage', { channel: 'C1', text: 'x' })).body.ok).toBe(true);
  });

  it('treats a revoked bot token as invalid_auth until restored', async () => {
    slack.revokeBotToken();
    expect((await form('auth.test', {})).body.error).toBe('invalid_auth');
    slack.restoreBotToken();
    expect((await form('auth.test', {})).body.ok).toBe(true);
  });

  it('waits for calls that have not happened yet', async () => {
    const after = slack.calls.length;
    const waiting = slack.waitForCall((c) => c.method === 'chat.postMessage' && c.params.text === 'later', { after });
    await json('chat.postMessage', { channel: 'C9', text: 'later' });
    expect((await waiting).params).toMatchObject({ channel: 'C9', text: 'later' });
    await expect(slack.waitForCall('never.called', { timeoutMs: 50 })).rejects.toThrow(/never.called/);
  });

  it('delivers signed Events API requests that a receiver can verify', async () => {
    const seen: Array<{ headers: Record<string, string | string[] | undefined>; raw: string }> = [];
    const receiver = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        seen.push({ headers: req.headers, raw });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ got: true }));
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const target = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/events`;
    try {
      const payload = slack.events.message({ channel: 'C500', user: 'U1', text: 'hi', threadTs: undefined });
      const res = await slack.deliver(target, payload, { retryNum: 2 });
      expect(res).toEqual({ status: 200, body: { got: true } });
      const [first] = seen;
      const ts = String(first!.headers['x-slack-request-timestamp']);
      expect(first!.headers['x-slack-signature']).toBe(signSlackRequest(slack.signingSecret, ts, first!.raw));
      expect(first!.headers['x-slack-retry-num']).toBe('2');
      expect(JSON.parse(first!.raw)).toMatchObject({ type: 'event_callback', event: { type: 'message', channel: 'C500', user: 'U1', text: 'hi', channel_type: 'channel' } });
      await slack.deliver(target, payload, { badSignature: true });
      expect(seen[1]!.headers['x-slack-signature']).not.toBe(signSlackRequest(slack.signingSecret, String(seen[1]!.headers['x-slack-request-timestamp']), seen[1]!.raw));
      expect(slack.events.urlVerification('abc')).toEqual({ token: expect.any(String), challenge: 'abc', type: 'url_verification' });
    } finally {
      await new Promise((r) => receiver.close(r));
    }
  });

  it('builds reaction, edit and delete events that keep the workspace in step', () => {
    const msg = slack.events.message({ channel: 'C600', user: 'U1', text: 'orig' });
    const ts = (msg.event as { ts: string }).ts;
    expect(slack.events.reaction({ user: 'U2', reaction: 'fire', channel: 'C600', ts }).event).toMatchObject({ type: 'reaction_added', item: { channel: 'C600', ts }, item_user: 'U1' });
    expect(slack.workspace.message('C600', ts)?.reactions).toEqual([{ name: 'fire', users: ['U2'] }]);
    expect(slack.events.edit({ channel: 'C600', ts, text: 'new' }).event).toMatchObject({ subtype: 'message_changed', message: { ts, text: 'new' }, previous_message: { text: 'orig' } });
    expect(slack.events.deletion({ channel: 'C600', ts }).event).toMatchObject({ subtype: 'message_deleted', deleted_ts: ts });
    expect(slack.workspace.message('C600', ts)).toBeUndefined();
  });

  it('opens Socket Mode for the app token only, says hello, sends envelopes and records acks', async () => {
    expect((await form('apps.connections.open', {}, slack.botToken)).body.error).toBe('not_allowed_token_type');
    expect((await form('chat.postMessage', { channel: 'C1', text: 'x' }, slack.appToken)).body.error).toBe('not_allowed_token_type');
    const opened = await form('apps.connections.open', {}, slack.appToken);
    expect(opened.body.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/socket-mode\?ticket=/);

    const ws = new WebSocket(opened.body.url);
    const received: any[] = [];
    ws.on('message', (d) => {
      const msg = JSON.parse(d.toString());
      received.push(msg);
      if (msg.envelope_id) ws.send(JSON.stringify({ envelope_id: msg.envelope_id, payload: {} }));
    });
    await slack.socketMode.waitForConnection();
    const envelopeId = slack.socketMode.sendEvent(slack.events.message({ channel: 'C700', user: 'U1', text: 'over socket' }), { retryAttempt: 1 });
    expect(await slack.socketMode.waitForAck(envelopeId)).toEqual({ envelope_id: envelopeId, payload: {} });
    expect(received[0]).toMatchObject({ type: 'hello' });
    expect(received[1]).toMatchObject({ type: 'events_api', envelope_id: envelopeId, retry_attempt: 1, payload: { event: { text: 'over socket' } } });

    const reused = new WebSocket(opened.body.url);
    const refused = await new Promise<string>((r) => reused.on('error', (e) => r(e.message)));
    expect(refused).toMatch(/401/);

    const closed = new Promise((r) => ws.on('close', r));
    slack.socketMode.dropConnections();
    await closed;
    expect(slack.socketMode.openConnections).toBe(0);
    expect(() => slack.socketMode.sendEvent({ type: 'event_callback' })).toThrow(/no client/);
  });
});
