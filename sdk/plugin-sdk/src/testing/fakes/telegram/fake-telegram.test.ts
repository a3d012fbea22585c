import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from './index.js';

let fake: FakeTelegram;
const call = async (method: string, params: Record<string, unknown> = {}, token = fake.token) => {
  const res = await fetch(`${fake.apiRoot}/bot${token}/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) });
  return { status: res.status, body: (await res.json()) as any };
};

/** A multipart body written the way grammY writes it: no spaces, unquoted filename, attach:// reference. */
function grammyStyleMultipart(fields: Record<string, string>, file: { name: string; filename: string; data: Buffer }) {
  const boundary = 'grammyABC123';
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition:form-data;name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition:form-data;name="${file.name}";filename=${file.filename}\r\ncontent-type:application/octet-stream\r\n\r\n`), file.data, Buffer.from(`\r\n--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

beforeAll(async () => {
  fake = await startFakeTelegram({ maxPollMs: 2_000, webhookRetryDelayMs: 20 });
});
afterAll(() => fake.close());
afterEach(() => fake.setOffline(false));

describe('fake Telegram Bot API', () => {
  it('answers getMe, and 401 Unauthorized for any other token', async () => {
    expect((await call('getMe')).body).toMatchObject({ ok: true, result: { id: fake.bot.id, is_bot: true, username: fake.bot.username } });
    expect(await call('getMe', {}, '999:wrong')).toEqual({ status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } });
    expect(fake.calls.at(-1)).toMatchObject({ method: 'getMe', authorized: false });
  });

  it('holds getUpdates until an update arrives, and drops updates below the offset', async () => {
    const alice = fake.user({ first_name: 'Alice' });
    const polling = call('getUpdates', { timeout: 30 });
    await new Promise((r) => setTimeout(r, 100));
    let answered = false;
    void polling.then(() => (answered = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(answered).toBe(false);

    const delivered = fake.userMessage({ from: alice, text: 'hi' });
    const first = await polling;
    expect(first.body.result).toHaveLength(1);
    const update = first.body.result[0];
    expect(update.message).toMatchObject({ text: 'hi', from: { id: alice.id }, chat: { id: alice.id, type: 'private' } });
    expect(fake.pendingUpdates()).toBe(1);

    const again = await call('getUpdates', { offset: update.update_id + 1, timeout: 0 });
    expect(again.body.result).toEqual([]);
    expect(fake.pendingUpdates()).toBe(0);
    await expect(delivered).resolves.toMatchObject({ message_id: update.message.message_id });
  });

  it('answers an empty list when the poll times out', async () => {
    const fast = await startFakeTelegram({ maxPollMs: 50 });
    try {
      const res = await fetch(`${fast.apiRoot}/bot${fast.token}/getUpdates?timeout=30`);
      expect(await res.json()).toEqual({ ok: true, result: [] });
    } finally {
      await fast.close();
    }
  });

  it('terminates an older getUpdates with 409 when a second one starts', async () => {
    const first = call('getUpdates', { timeout: 30 });
    await new Promise((r) => setTimeout(r, 50));
    const second = call('getUpdates', { timeout: 1 });
    expect(await first).toMatchObject({ status: 409, body: { error_code: 409, description: expect.stringContaining('terminated by other getUpdates') } });
    expect((await second).status).toBe(200);
  });

  it('sends messages, checks reply targets and refuses text over 4096 characters', async () => {
    const bob = fake.user({ first_name: 'Bob' });
    const sent = await call('sendMessage', { chat_id: bob.id, text: 'hello bob' });
    expect(sent.body.result).toMatchObject({ chat: { id: bob.id }, from: { id: fake.bot.id }, text: 'hello bob' });
    const reply = await call('sendMessage', { chat_id: bob.id, text: 'reply', reply_parameters: { message_id: sent.body.result.message_id } });
    expect(reply.body.result.reply_to_message.message_id).toBe(sent.body.result.message_id);
    expect(await call('sendMessage', { chat_id: bob.id, text: 'x', reply_parameters: { message_id: 999_999 } })).toMatchObject({ status: 400, body: { description: 'Bad Request: message to be replied not found' } });
    expect(await call('sendMessage', { chat_id: bob.id, text: 'x'.repeat(4097) })).toMatchObject({ status: 400, body: { description: 'Bad Request: message is too long' } });
    expect(await call('sendMessage', { chat_id: 4242, text: 'x' })).toMatchObject({ status: 400, body: { description: 'Bad Request: chat not found' } });
  });

  it('edits, reacts to and deletes messages', async () => {
    const carol = fake.user();
    const { body } = await call('sendMessage', { chat_id: carol.id, text: 'v1' });
    const id = body.result.message_id;
    expect((await call('editMessageText', { chat_id: carol.id, message_id: id, text: 'v2' })).body.result).toMatchObject({ text: 'v2', edit_date: expect.any(Number) });
    expect((await call('setMessageReaction', { chat_id: carol.id, message_id: id, reaction: [{ type: 'emoji', emoji: '👍' }] })).body).toEqual({ ok: true, result: true });
    expect((await call('deleteMessage', { chat_id: carol.id, message_id: id })).body).toEqual({ ok: true, result: true });
    expect(await call('deleteMessage', { chat_id: carol.id, message_id: id })).toMatchObject({ status: 400, body: { description: 'Bad Request: message to delete not found' } });
    expect(await call('setMessageReaction', { chat_id: carol.id, message_id: id, reaction: [] })).toMatchObject({ status: 400 });
  });

  it('parses grammY-style multipart uploads and serves the file back through getFile', async () => {
    const dan = fake.user();
    const data = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 255]);
    const { body, contentType } = grammyStyleMultipart({ chat_id: String(dan.id), photo: 'attach://f1', caption: 'a pixel', reply_parameters: '{"message_id":1,"allow_sending_without_reply":true}' }, { name: 'f1', filename: 'pixel.png', data });
    const res = await fetch(`${fake.apiRoot}/bot${fake.token}/sendPhoto`, { method: 'POST', headers: { 'content-type': contentType }, body });
    const answer = (await res.json()) as any;
    expect(answer.ok).toBe(true);
    expect(answer.result.caption).toBe('a pixel');
    const recorded = fake.callsTo('sendPhoto').at(-1)!;
    expect(recorded.files.photo).toMatchObject({ filename: 'pixel.png' });
    expect(recorded.files.photo!.data.equals(data)).toBe(true);
    expect(recorded.params.reply_parameters).toEqual({ message_id: 1, allow_sending_without_reply: true });

    const file = (await call('getFile', { file_id: answer.result.photo[0].file_id })).body.result;
    const download = await fetch(`${fake.apiRoot}/file/bot${fake.token}/${file.file_path}`);
    expect(Buffer.from(await download.arrayBuffer()).equals(data)).toBe(true);
    expect((await fetch(`${fake.apiRoot}/file/botnope/${file.file_path}`)).status).toBe(401);
  });

  it('injects 429 with retry_after and 403 errors', async () => {
    const eve = fake.user();
    fake.failNext('sendMessage', { error_code: 429, description: 'Too Many Requests: retry after 7', retry_after: 7 });
    fake.failNext('sendMessage', { error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    expect(await call('sendMessage', { chat_id: eve.id, text: 'a' })).toEqual({ status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 7', parameters: { retry_after: 7 } } });
    expect(await call('sendMessage', { chat_id: eve.id, text: 'b' })).toMatchObject({ status: 403, body: { description: 'Forbidden: bot was blocked by the user' } });
    expect((await call('sendMessage', { chat_id: eve.id, text: 'c' })).status).toBe(200);
  });

  it('delivers updates to a webhook with the secret token, and refuses getUpdates meanwhile', async () => {
    const received: Array<{ secret: string | undefined; body: any }> = [];
    let refuseNext = 0;
    const hook: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (refuseNext > 0) {
          refuseNext--;
          res.writeHead(503).end();
          return;
        }
        received.push({ secret: req.headers['x-telegram-bot-api-secret-token'] as string | undefined, body: JSON.parse(Buffer.concat(chunks).toString()) });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/tg`;
      expect((await call('setWebhook', { url, secret_token: 'hook-secret_1' })).body.result).toBe(true);
      expect(await call('getUpdates')).toMatchObject({ status: 409 });
      const frank = fake.user({ first_name: 'Frank' });
      const group = fake.group({ title: 'Forum', forum: true });
      const message = await fake.userMessage({ from: frank, chat: group, text: 'in a topic', threadId: 7 });
      expect(received.at(-1)).toMatchObject({ secret: 'hook-secret_1', body: { message: { message_id: message.message_id, message_thread_id: 7, chat: { id: group.id, is_forum: true } } } });
      await fake.userReaction({ from: frank, message, emoji: ['🔥'] });
      expect(received.at(-1)?.body.message_reaction).toMatchObject({ message_id: message.message_id, new_reaction: [{ type: 'emoji', emoji: '🔥' }] });
      expect(fake.webhookDeliveries.every((d) => d.status === 200)).toBe(true);

      // A refused delivery is retried until the webhook takes it.
      refuseNext = 2;
      const retried = await fake.userMessage({ from: frank, text: 'again' });
      expect(fake.webhookDeliveries.filter((d) => d.update.message?.message_id === retried.message_id).map((d) => d.status)).toEqual([503, 503, 200]);
      expect(received.at(-1)?.body.message.text).toBe('again');
    } finally {
      await call('deleteWebhook');
      hook.close();
    }
    expect(fake.webhook).toBeUndefined();
  });

  it('records calls for tests to take one at a time', async () => {
    const gina = fake.user();
    void call('sendChatAction', { chat_id: gina.id, action: 'typing' });
    const taken = await fake.takeCall((c) => c.method === 'sendChatAction' && c.params.chat_id === gina.id);
    expect(taken.params.action).toBe('typing');
    await expect(fake.takeCall((c) => c.method === 'sendChatAction' && c.params.chat_id === gina.id, 100)).rejects.toThrow(/no matching call/);
  });

  it('cuts connections while offline', async () => {
    fake.setOffline(true);
    await expect(call('getMe')).rejects.toThrow();
    fake.setOffline(false);
    expect((await call('getMe')).status).toBe(200);
  });

  it('stores the bot profile from setMyName and setMyDescription', async () => {
    await call('setMyName', { name: 'Renamed Bot' });
    await call('setMyDescription', { description: 'I answer.' });
    expect(fake.profile).toMatchObject({ name: 'Renamed Bot', description: 'I answer.' });
    expect((await call('getMe')).body.result.first_name).toBe('Renamed Bot');
  });
});
