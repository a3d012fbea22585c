import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import agentApi from '@omni/agent-api';
import slackChannel from '@omni/channel-slack';
import { TINY_PNG_BASE64, startTestKernel, type TestKernel } from '@omni/plugin-sdk/testing';
import { startFakeSlack, type FakeSlack, type SlackEventPayload } from '@omni/plugin-sdk/testing/slack';
import { startEchoAgent, type EchoAgent } from 'omni-echo-agent';
import { omniApi } from '../support/omni-api.js';
import { startOmniWithEcho, type OmniWithEcho } from '../support/omni-with-echo.js';

const PNG = Buffer.from(TINY_PNG_BASE64, 'base64');

describe('slack channel end to end (fake Slack, echo agent, public HTTP API)', () => {
  let tk: TestKernel;
  let slack: FakeSlack;
  let echo: EchoAgent;
  let instanceId: string;

  const hook = (id = instanceId) => `${tk.url}/api/v2/webhooks/slack/${id}`;
  const deliver = (payload: SlackEventPayload) => slack.deliver(hook(), payload);
  const tsOf = (payload: SlackEventPayload) => (payload.event as { ts: string }).ts;
  const { status: statusOf, waitForState: waitForStatus, finishedEvent: finished } = omniApi(() => tk);
  const createInstance = async (name: string, channelConfig: Record<string, unknown>) => {
    const res = await tk.http.post('/api/v2/instances', { name, channel: 'slack', channelConfig, agent: { apiUrl: echo.url, timeout: 5_000 } });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };

  beforeAll(async () => {
    slack = await startFakeSlack();
    slack.addUser({ id: 'U1', name: 'ana', realName: 'Ana Lima' });
    slack.workspace.addChannel({ id: 'C1', type: 'channel', name: 'support' });
    echo = await startEchoAgent();
    tk = await startTestKernel({ plugins: [slackChannel, agentApi] });
    instanceId = await createInstance('slack-e2e', { botToken: slack.botToken, signingSecret: slack.signingSecret, slackApiUrl: slack.apiUrl });
    await waitForStatus(instanceId, 'connected');
  });
  afterAll(async () => {
    await tk?.stop();
    await echo?.close();
    await slack?.close();
  });

  it('answers a Slack message through the echo agent with chat.postMessage, and the events API shows the trace', async () => {
    const payload = slack.events.message({ channel: 'C1', user: 'U1', text: 'hello slack' });
    const delivered = await deliver(payload);
    expect(delivered).toMatchObject({ status: 200, body: { ok: true, received: 1 } });
    const eventId = delivered.body.eventIds[0] as string;

    const reply = await slack.waitForCall((c) => c.method === 'chat.postMessage' && c.params.text === 'Echo: hello slack', { timeoutMs: 10_000 });
    expect(reply.params).toMatchObject({ channel: 'C1' });
    expect(reply.token).toBe(slack.botToken);

    const event = await finished(eventId);
    expect(event).toMatchObject({ id: eventId, direction: 'inbound', status: 'sent', instanceId, textContent: 'hello slack' });
    expect(event.stages.map((s: { stage: string }) => s.stage)).toEqual(['received', 'access', 'debounce', 'agent_request', 'agent_response', 'channel_send', 'sent']);
    const list = (await tk.http.get(`/api/v2/events?instanceId=${instanceId}`)).body.items as Array<{ direction: string; traceId: string; externalId?: string }>;
    const trace = list.filter((e) => e.traceId === event.traceId);
    expect(trace.map((e) => e.direction).sort()).toEqual(['inbound', 'outbound']);
    expect(trace.find((e) => e.direction === 'outbound')?.externalId).toBe(`C1:${reply.response.body.ts}`);
    expect(trace.find((e) => e.direction === 'inbound')?.externalId).toBe(`C1:${tsOf(payload)}`);
  });

  it('answers a thread reply inside the thread', async () => {
    const parent = slack.events.message({ channel: 'C1', user: 'U1', text: 'thread start' });
    await deliver(parent);
    await deliver(slack.events.message({ channel: 'C1', user: 'U1', text: 'in the thread', threadTs: tsOf(parent) }));
    const reply = await slack.waitForCall((c) => c.method === 'chat.postMessage' && c.params.text === 'Echo: in the thread', { timeoutMs: 10_000 });
    expect(reply.params.thread_ts).toBe(tsOf(parent));
  });

  it('round-trips media: a shared file is stored and served, and a sent image goes out through upload v2', async () => {
    const file = slack.addFile({ name: 'in.png', mimetype: 'image/png', data: PNG });
    const payload = slack.events.message({ channel: 'C1', user: 'U1', text: 'see attached', files: [file] });
    expect((await deliver(payload)).status).toBe(200);
    const stored = await tk.http.get(`/api/v2/instances/${instanceId}/messages/C1:${tsOf(payload)}/media`);
    expect(stored.status).toBe(200);
    expect(stored.body).toMatchObject({ mimetype: 'image/png', fileName: 'in.png', size: PNG.length, base64: TINY_PNG_BASE64 });

    const sent = await tk.http.post('/api/v2/messages/media', { instanceId, to: 'C1', type: 'image', base64: TINY_PNG_BASE64, mimeType: 'image/png', filename: 'out.png', caption: 'right back' });
    expect(sent.status).toBe(200);
    const complete = slack.callsTo('files.completeUploadExternal').at(-1)!;
    expect(complete.params).toMatchObject({ channel_id: 'C1', initial_comment: 'right back' });
    const [uploaded] = JSON.parse(complete.params.files as string) as Array<{ id: string }>;
    expect(slack.uploads.get(uploaded!.id)?.equals(PNG)).toBe(true);
    expect(sent.body.externalMessageId).toMatch(/^C1:/);
  });

  it('sends a reaction with reactions.add and receives one as a reaction message', async () => {
    const payload = slack.events.message({ channel: 'C1', user: 'U1', text: 'react to this' });
    await deliver(payload);
    const res = await tk.http.post('/api/v2/messages/reaction', { instanceId, to: 'C1', messageId: `C1:${tsOf(payload)}`, emoji: '🎉' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, status: 'sent' });
    expect(slack.callsTo('reactions.add').at(-1)!.params).toEqual({ channel: 'C1', timestamp: tsOf(payload), name: 'tada' });
    expect(slack.workspace.message('C1', tsOf(payload))?.reactions).toEqual([{ name: 'tada', users: [slack.botUserId] }]);

    const inbound = await deliver(slack.events.reaction({ user: 'U1', reaction: 'eyes', channel: 'C1', ts: tsOf(payload) }));
    const event = (await tk.http.get(`/api/v2/events/${inbound.body.eventIds[0]}`)).body;
    expect(event).toMatchObject({ direction: 'inbound', contentType: 'reaction', sender: { platformUserId: 'U1', name: 'Ana Lima' }, externalId: expect.stringContaining(`C1:${tsOf(payload)}:react:U1:eyes`) });
  });

  it('stops taking events when disconnected and takes them again after reconnecting', async () => {
    expect((await tk.http.post(`/api/v2/instances/${instanceId}/disconnect`)).status).toBe(200);
    expect((await statusOf(instanceId)).state).toBe('disconnected');
    const refused = await deliver(slack.events.message({ channel: 'C1', user: 'U1', text: 'while away' }));
    expect(refused.status).toBe(503);

    expect((await tk.http.post(`/api/v2/instances/${instanceId}/connect`)).status).toBe(200);
    await waitForStatus(instanceId, 'connected');
    await deliver(slack.events.message({ channel: 'C1', user: 'U1', text: 'back again' }));
    await slack.waitForCall((c) => c.method === 'chat.postMessage' && c.params.text === 'Echo: back again', { timeoutMs: 10_000 });
  });

  it('shows a bad token as an error status with Slack’s reason', async () => {
    const bad = await createInstance('slack-bad-token', { botToken: 'xoxb-not-valid', signingSecret: slack.signingSecret, slackApiUrl: slack.apiUrl });
    const status = await waitForStatus(bad, 'error');
    expect(status.error).toMatchObject({ code: 'SLACK_INVALID_AUTH', message: expect.stringContaining('invalid_auth'), retryable: false });
    const shown = await tk.http.get(`/api/v2/instances/${bad}`);
    expect(JSON.stringify(shown.body)).not.toContain('xoxb-not-valid');
  });
});

describe('slack instance across a restart (real process)', () => {
  let slack: FakeSlack;
  let hub: OmniWithEcho;
  const apiKey = `omni_e2e_${randomBytes(24).toString('base64url')}`;
  const { api, waitForState } = omniApi(() => hub.omni);

  beforeAll(async () => {
    slack = await startFakeSlack();
  });
  afterAll(async () => {
    await hub?.close();
    await slack?.close();
  });

  it('keeps the credentials (encrypted, never shown) and reconnects the instance after a restart', { timeout: 200_000 }, async () => {
    hub = await startOmniWithEcho('slack', { env: { OMNI_API_KEY: apiKey, LOG_LEVEL: 'debug' }, timeoutMs: 90_000 });
    const dataDir = hub.dataDir;
    const first = hub.omni;
    const created = await api('POST', '/api/v2/instances', {
      name: 'slack-restart',
      channel: 'slack',
      channelConfig: { botToken: slack.botToken, signingSecret: slack.signingSecret, slackApiUrl: slack.apiUrl },
    });
    expect(created.status).toBe(201);
    const { id } = created.body as { id: string };
    await waitForState(id, 'connected', 20_000);

    let authCalls = 0;
    const second = await hub.restart(async () => (authCalls = slack.callsTo('auth.test').length));
    await waitForState(id, 'connected', 20_000);
    expect(slack.callsTo('auth.test').length).toBeGreaterThan(authCalls);
    expect(slack.callsTo('auth.test').at(-1)?.token).toBe(slack.botToken);
    const delivered = await slack.deliver(`${second.url}/api/v2/webhooks/slack/${id}`, slack.events.message({ channel: 'C1', user: 'U1', text: 'after restart' }));
    expect(delivered.status).toBe(200);

    const shown = (await api('GET', `/api/v2/instances/${id}`)).raw;
    for (const secret of [slack.botToken, slack.signingSecret]) {
      expect(shown).not.toContain(secret);
      expect(JSON.stringify(first.logs) + JSON.stringify(second.logs) + second.stderr()).not.toContain(secret);
    }
    const files = (await readdir(dataDir, { recursive: true, withFileTypes: true })).filter((f) => f.isFile());
    expect(files.some((f) => f.name.startsWith('omni.db'))).toBe(true);
    for (const f of files) expect((await readFile(join(f.parentPath, f.name))).includes(slack.botToken), `${f.name} holds the bot token in clear`).toBe(false);
  });
});
