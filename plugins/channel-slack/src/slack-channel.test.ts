import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_PNG_BASE64, startTestKernel, waitForConnectionState, type TestKernel } from '@omni/plugin-sdk/testing';
import { startFakeSlack, type FakeSlack, type SlackEventPayload } from '@omni/plugin-sdk/testing/slack';
import slackPlugin from './index.js';

const PNG = Buffer.from(TINY_PNG_BASE64, 'base64');

describe('slack channel (Events API)', () => {
  let tk: TestKernel;
  let slack: FakeSlack;
  let instanceId: string;
  const hook = (id = instanceId) => `${tk.url}/api/v2/webhooks/slack/${id}`;
  const deliver = (payload: SlackEventPayload, options?: Parameters<FakeSlack['deliver']>[2]) => slack.deliver(hook(), payload, options);
  const received = (eventId: string) => tk.events.waitFor('message.received', (e) => e.id === eventId);

  beforeAll(async () => {
    slack = await startFakeSlack();
    slack.addUser({ id: 'U1', name: 'ana', realName: 'Ana Lima', displayName: 'ana.l', avatarUrl: 'https://avatars.example/ana.png' });
    slack.workspace.addChannel({ id: 'C1', type: 'channel', name: 'general' });
    slack.workspace.addChannel({ id: 'D1', type: 'im', user: 'U1' });
    tk = await startTestKernel({ plugins: [slackPlugin] });
    instanceId = (await tk.createInstance({ channel: 'slack', channelConfig: { botToken: slack.botToken, signingSecret: slack.signingSecret, slackApiUrl: slack.apiUrl } })).id;
    await waitForConnectionState(tk, instanceId, 'connected');
  });
  afterAll(async () => {
    await tk?.stop();
    await slack?.close();
  });

  it('connects with auth.test and reports the bot account; secrets never show in the API', async () => {
    expect(tk.kernel.connections.status(instanceId)).toMatchObject({ state: 'connected', account: { id: slack.botUserId, name: 'omni-bot' } });
    const res = await tk.http.get(`/api/v2/instances/${instanceId}`);
    expect(JSON.stringify(res.body)).not.toContain(slack.botToken);
    expect(JSON.stringify(res.body)).not.toContain(slack.signingSecret);
  });

  it('answers url_verification with the challenge', async () => {
    expect(await deliver(slack.events.urlVerification('challenge-xyz'))).toEqual({ status: 200, body: { challenge: 'challenge-xyz' } });
  });

  it('refuses a bad or stale signature with 401 in the error envelope and stores nothing', async () => {
    const before = tk.events.ofType('message.received').length;
    const bad = await deliver(slack.events.message({ channel: 'C1', user: 'U1', text: 'forged' }), { badSignature: true });
    expect(bad.status).toBe(401);
    expect(bad.body.error).toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining('signature') });
    const stale = await deliver(slack.events.message({ channel: 'C1', user: 'U1', text: 'replayed' }), { timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect(stale.status).toBe(401);
    const unsigned = await fetch(hook(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(slack.events.message({ channel: 'C1', user: 'U1', text: 'x' })) });
    expect(unsigned.status).toBe(401);
    await new Promise((r) => setTimeout(r, 50));
    expect(tk.events.ofType('message.received').length).toBe(before);
  });

  it('normalizes a message with the sender profile from users.info, cached across messages', async () => {
    const first = await deliver(slack.events.message({ channel: 'C1', user: 'U1', text: 'hello <@UBOT0001>' }));
    expect(first).toMatchObject({ status: 200, body: { ok: true, received: 1, duplicates: 0 } });
    const event = await received(first.body.eventIds[0]);
    expect(event.payload.message).toMatchObject({
      chatId: 'C1',
      chatType: 'channel',
      sender: { id: 'U1', name: 'ana.l', username: 'ana', avatarUrl: 'https://avatars.example/ana.png', isBot: false },
      content: { type: 'text', text: 'hello <@UBOT0001>' },
      mentions: ['UBOT0001'],
    });
    expect(event.payload.message.externalId).toMatch(/^C1:\d+\.\d+$/);
    const second = await deliver(slack.events.message({ channel: 'D1', user: 'U1', text: 'in a dm' }));
    expect((await received(second.body.eventIds[0])).payload.message).toMatchObject({ chatType: 'dm', chatId: 'D1' });
    expect(slack.callsTo('users.info').filter((c) => c.params.user === 'U1')).toHaveLength(1);
  });

  it('stores a Slack retry (X-Slack-Retry-Num) once', async () => {
    const payload = slack.events.message({ channel: 'C1', user: 'U1', text: 'retried' });
    const first = await deliver(payload);
    const retry = await deliver(payload, { retryNum: 1 });
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ duplicates: 1, eventIds: first.body.eventIds });
    await new Promise((r) => setTimeout(r, 50));
    expect(tk.events.ofType('message.received').filter((e) => e.payload.message.content.type === 'text' && e.payload.message.content.text === 'retried')).toHaveLength(1);
  });

  it('maps thread replies to threadId and replyTo', async () => {
    const parent = slack.events.message({ channel: 'C1', user: 'U1', text: 'parent' });
    await deliver(parent);
    const parentTs = (parent.event as { ts: string }).ts;
    const reply = await deliver(slack.events.message({ channel: 'C1', user: 'U1', text: 'child', threadTs: parentTs }));
    expect((await received(reply.body.eventIds[0])).payload.message).toMatchObject({ threadId: parentTs, replyTo: `C1:${parentTs}` });
  });

  it('downloads a shared file with the bot token and stores it in the media store', async () => {
    const file = slack.addFile({ name: 'pixel.png', mimetype: 'image/png', data: PNG });
    const res = await deliver(slack.events.message({ channel: 'C1', user: 'U1', text: 'a pixel', files: [file] }));
    const event = await received(res.body.eventIds[0]);
    const content = event.payload.message.content;
    expect(content).toMatchObject({ type: 'image', caption: 'a pixel', media: { mimeType: 'image/png', filename: 'pixel.png', size: PNG.length, storageKey: expect.any(String) } });
    const media = await tk.http.fetch(`/api/v2/media/${(content as { media: { storageKey: string } }).media.storageKey}`);
    expect(media.status).toBe(200);
    expect(Buffer.from(await media.arrayBuffer()).equals(PNG)).toBe(true);
  });

  it('answers 502 (so Slack redelivers) when a file cannot be downloaded, and stores nothing', async () => {
    const before = tk.events.ofType('message.received').length;
    const file = slack.addFile({ name: 'gone.png', mimetype: 'image/png', data: PNG });
    const payload = slack.events.message({ channel: 'C1', user: 'U1', text: 'broken', files: [file] });
    slack.workspace.files.delete(file.id);
    const res = await deliver(payload);
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('PLATFORM_ERROR');
    expect(tk.events.ofType('message.received').length).toBe(before);
  });

  it('normalizes reactions, edits and deletes', async () => {
    const original = slack.events.message({ channel: 'C1', user: 'U1', text: 'typo' });
    await deliver(original);
    const ts = (original.event as { ts: string }).ts;
    const reaction = await deliver(slack.events.reaction({ user: 'U1', reaction: 'fire', channel: 'C1', ts }));
    expect((await received(reaction.body.eventIds[0])).payload.message.content).toEqual({ type: 'reaction', messageId: `C1:${ts}`, emoji: '🔥' });
    const edit = await deliver(slack.events.edit({ channel: 'C1', ts, text: 'fixed' }));
    expect((await received(edit.body.eventIds[0])).payload.message).toMatchObject({ content: { type: 'text', text: 'fixed' }, change: { kind: 'edit', targetId: `C1:${ts}` } });
    const del = await deliver(slack.events.deletion({ channel: 'C1', ts }));
    expect((await received(del.body.eventIds[0])).payload.message).toMatchObject({ change: { kind: 'delete', targetId: `C1:${ts}` } });
  });

  it('replies in a thread, uploads media with upload v2, reacts, edits and deletes', async () => {
    const parent = slack.events.message({ channel: 'C1', user: 'U1', text: 'question' });
    await deliver(parent);
    const parentTs = (parent.event as { ts: string }).ts;
    const text = await tk.kernel.messages.send({ instanceId, to: 'C1', threadId: parentTs, content: { type: 'text', text: 'answer' } });
    expect(text).toMatchObject({ ok: true, externalId: expect.stringMatching(/^C1:/) });
    expect(slack.callsTo('chat.postMessage').at(-1)!.params).toMatchObject({ channel: 'C1', text: 'answer', thread_ts: parentTs });

    const image = await tk.kernel.messages.send({ instanceId, to: 'C1', content: { type: 'image', media: { base64: TINY_PNG_BASE64, mimeType: 'image/png', filename: 'out.png' }, caption: 'look' } });
    expect(image).toMatchObject({ ok: true, externalId: expect.stringMatching(/^C1:/) });
    const complete = slack.callsTo('files.completeUploadExternal').at(-1)!;
    expect(complete.params).toMatchObject({ channel_id: 'C1', initial_comment: 'look' });
    const fileId = (JSON.parse(complete.params.files as string) as Array<{ id: string }>)[0]!.id;
    expect(slack.uploads.get(fileId)?.equals(PNG)).toBe(true);

    const reaction = await tk.kernel.messages.send({ instanceId, to: 'C1', content: { type: 'reaction', messageId: `C1:${parentTs}`, emoji: '👍' } });
    expect(reaction.ok).toBe(true);
    expect(slack.callsTo('reactions.add').at(-1)!.params).toEqual({ channel: 'C1', timestamp: parentTs, name: '+1' });
    const unreact = await tk.kernel.messages.send({ instanceId, to: 'C1', content: { type: 'reaction', messageId: `C1:${parentTs}`, emoji: '' } });
    expect(unreact.ok).toBe(true);
    expect(slack.callsTo('reactions.remove').at(-1)!.params).toEqual({ channel: 'C1', timestamp: parentTs, name: '+1' });

    const sentTs = (text as { externalId: string }).externalId.split(':')[1]!;
    const edited = await tk.http.patch(`/api/v2/messages/${text.messageId}`, { text: 'better answer' });
    expect(edited.status).toBe(200);
    expect(slack.workspace.message('C1', sentTs)?.text).toBe('better answer');
    const deleted = await tk.http.delete(`/api/v2/messages/${text.messageId}`);
    expect(deleted.status).toBe(200);
    expect(slack.workspace.message('C1', sentTs)).toBeUndefined();
  });

  it('waits out a short 429 retry-after; a long one fails the send with retryAfterMs', async () => {
    slack.rateLimitNext('chat.postMessage', 1);
    const before = slack.callsTo('chat.postMessage').length;
    const waited = await tk.kernel.messages.send({ instanceId, to: 'C1', content: { type: 'text', text: 'after the limit' } });
    expect(waited.ok).toBe(true);
    expect(slack.callsTo('chat.postMessage').length - before).toBe(2);

    slack.rateLimitNext('chat.postMessage', 120);
    const limited = await tk.kernel.messages.send({ instanceId, to: 'C1', content: { type: 'text', text: 'too soon' } });
    expect(limited).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', retryable: true, retryAfterMs: 120_000 } });
    const failed = await tk.events.waitFor('message.failed', (e) => e.payload.messageId === limited.messageId);
    expect(failed.payload.error).toContain('retry after 120');
  });

  it("fails a send with Slack's reason (not_in_channel, missing_scope) and keeps the instance connected", async () => {
    slack.failNext('chat.postMessage', { error: 'not_in_channel' });
    const res = await tk.http.post('/api/v2/messages', { instanceId, to: 'C2', text: 'hi' });
    expect(res.status).toBe(502);
    expect(res.body.error).toMatchObject({ code: 'PLATFORM_ERROR', message: expect.stringContaining('not_in_channel'), details: { code: 'SLACK_NOT_IN_CHANNEL', retryable: false } });
    slack.failNext('reactions.add', { error: 'missing_scope', extra: { needed: 'reactions:write' } });
    const reaction = await tk.kernel.messages.send({ instanceId, to: 'C1', content: { type: 'reaction', messageId: 'C1:1.000100', emoji: '🎉' } });
    expect(reaction).toMatchObject({ ok: false, error: { code: 'SLACK_MISSING_SCOPE', message: expect.stringContaining('reactions:write') } });
    expect(tk.kernel.connections.status(instanceId).state).toBe('connected');
  });

  it('fetches profiles and validates recipients through the API', async () => {
    expect((await tk.http.get(`/api/v2/instances/${instanceId}/profile/U1`)).body).toMatchObject({ platformUserId: 'U1', name: 'ana.l', username: 'ana', avatarUrl: 'https://avatars.example/ana.png' });
    expect((await tk.http.get(`/api/v2/instances/${instanceId}/profile/U404`)).status).toBe(404);
    expect((await tk.http.post(`/api/v2/instances/${instanceId}/validate-recipient`, { recipient: '<@U1>' })).body).toMatchObject({ valid: true, exists: true, normalized: 'U1', profile: { name: 'ana.l' } });
    expect((await tk.http.post(`/api/v2/instances/${instanceId}/validate-recipient`, { recipient: 'C1' })).body).toMatchObject({ valid: true, exists: true, profile: { name: 'general' } });
    expect((await tk.http.post(`/api/v2/instances/${instanceId}/validate-recipient`, { recipient: 'C999' })).body).toMatchObject({ valid: true, exists: false });
    expect((await tk.http.post(`/api/v2/instances/${instanceId}/validate-recipient`, { recipient: 'not a slack id' })).body).toMatchObject({ valid: false });
  });

  it('shows a bad token as an error status with the reason, without retrying', async () => {
    const bad = await tk.createInstance({ channel: 'slack', channelConfig: { botToken: 'xoxb-wrong', signingSecret: slack.signingSecret, slackApiUrl: slack.apiUrl } });
    const status = await waitForConnectionState(tk, bad.id, 'error');
    expect(status.error).toMatchObject({ code: 'SLACK_INVALID_AUTH', message: expect.stringContaining('invalid_auth'), retryable: false });
    const attempts = slack.calls.filter((c) => c.method === 'auth.test' && c.token === 'xoxb-wrong').length;
    await new Promise((r) => setTimeout(r, 300));
    expect(slack.calls.filter((c) => c.method === 'auth.test' && c.token === 'xoxb-wrong').length).toBe(attempts);
    const hook = await slack.deliver(`${tk.url}/api/v2/webhooks/slack/${bad.id}`, slack.events.message({ channel: 'C1', user: 'U1', text: 'x' }));
    expect(hook.status).toBe(503);
  });

  it('retries an unreachable Slack with backoff, visible in the status, until disconnected', async () => {
    const unreachable = await tk.createInstance({ channel: 'slack', channelConfig: { botToken: slack.botToken, signingSecret: slack.signingSecret, slackApiUrl: 'http://127.0.0.1:9/api/' } });
    const status = await waitForConnectionState(tk, unreachable.id, 'reconnecting');
    expect(status).toMatchObject({ reconnect: { attempt: expect.any(Number), nextAttemptAt: expect.any(String) }, error: { code: 'CONNECTION_LOST', message: expect.stringContaining('could not reach Slack'), retryable: true } });
    await tk.kernel.connections.disconnect(unreachable.id);
    await new Promise((r) => setTimeout(r, 1_200));
    expect(tk.kernel.connections.status(unreachable.id).state).toBe('disconnected');
  });

  it('turns a token revoked while running into an error status on the next send', async () => {
    const other = await tk.createInstance({ channel: 'slack', channelConfig: { botToken: slack.botToken, signingSecret: slack.signingSecret, slackApiUrl: slack.apiUrl } });
    await waitForConnectionState(tk, other.id, 'connected');
    slack.revokeBotToken();
    try {
      const res = await tk.kernel.messages.send({ instanceId: other.id, to: 'C1', content: { type: 'text', text: 'anyone?' } });
      expect(res).toMatchObject({ ok: false, error: { code: 'SLACK_INVALID_AUTH' } });
      expect(tk.kernel.connections.status(other.id)).toMatchObject({ state: 'error', error: { code: 'SLACK_INVALID_AUTH' } });
    } finally {
      slack.restoreBotToken();
    }
  });

  it('refuses non-POST requests with 405', async () => {
    expect((await fetch(hook(), { method: 'GET' })).status).toBe(405);
  });
});

describe('slack plugin loading', () => {
  it('offers exactly the methods its lazily loaded implementation has', async () => {
    const { createSlackAdapter } = await import('./slack-adapter.js');
    const { SLACK_ADAPTER_METHODS } = await import('./index.js');
    const implemented = Object.keys(createSlackAdapter()).filter((k) => !['connect', 'disconnect', 'send'].includes(k));
    expect([...SLACK_ADAPTER_METHODS].sort()).toEqual(implemented.sort());
  });
});
