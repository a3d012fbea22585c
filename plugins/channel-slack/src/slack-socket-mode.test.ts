import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKernel, waitForConnectionState, type TestKernel } from '@omni/plugin-sdk/testing';
import { startFakeSlack, type FakeSlack } from '@omni/plugin-sdk/testing/slack';
import slackPlugin from './index.js';

describe('slack channel (Socket Mode)', () => {
  let tk: TestKernel;
  let slack: FakeSlack;
  let instanceId: string;
  const config = (extra: Record<string, unknown> = {}) => ({ botToken: slack.botToken, appToken: slack.appToken, mode: 'socket', slackApiUrl: slack.apiUrl, ...extra });

  beforeAll(async () => {
    slack = await startFakeSlack();
    slack.addUser({ id: 'U1', name: 'ana' });
    tk = await startTestKernel({ plugins: [slackPlugin] });
    instanceId = (await tk.createInstance({ channel: 'slack', channelConfig: config() })).id;
    await waitForConnectionState(tk, instanceId, 'connected');
  });
  afterAll(async () => {
    await tk?.stop();
    await slack?.close();
  });

  it('requires an app token in socket mode and a signing secret in events mode', async () => {
    await expect(tk.createInstance({ channel: 'slack', channelConfig: { botToken: slack.botToken, mode: 'socket' } })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    await expect(tk.createInstance({ channel: 'slack', channelConfig: { botToken: slack.botToken } })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
  });

  it('opens the socket with the app token and acknowledges each envelope after storing its message', async () => {
    expect(slack.callsTo('apps.connections.open').at(-1)?.token).toBe(slack.appToken);
    const payload = slack.events.message({ channel: 'D1', user: 'U1', text: 'over the socket' });
    const envelope = slack.socketMode.sendEvent(payload);
    const event = await tk.events.waitFor('message.received', (e) => e.payload.message.externalId === `D1:${(payload.event as { ts: string }).ts}`);
    expect(event.payload.message).toMatchObject({ chatType: 'dm', sender: { id: 'U1', name: 'ana' }, content: { type: 'text', text: 'over the socket' } });
    expect(await slack.socketMode.waitForAck(envelope)).toMatchObject({ envelope_id: envelope });

    const again = slack.socketMode.sendEvent(payload, { retryAttempt: 1, retryReason: 'timeout' });
    await slack.socketMode.waitForAck(again);
    expect(tk.events.ofType('message.received').filter((e) => e.payload.message.content.type === 'text' && e.payload.message.content.text === 'over the socket')).toHaveLength(1);
  });

  it('refuses Events API requests for a socket-mode instance', async () => {
    const res = await slack.deliver(`${tk.url}/api/v2/webhooks/slack/${instanceId}`, slack.events.message({ channel: 'D1', user: 'U1', text: 'wrong door' }));
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('CONFLICT');
  });

  it('reconnects with backoff after the connection drops, and says so in its status', async () => {
    const before = slack.socketMode.connectionCount;
    const reconnecting = tk.events.waitFor('instance.status', (e) => e.metadata.instanceId === instanceId && e.payload.status.state === 'reconnecting');
    slack.socketMode.dropConnections();
    expect((await reconnecting).payload.status).toMatchObject({ reconnect: { attempt: 1, nextAttemptAt: expect.any(String) }, error: { code: 'CONNECTION_LOST' } });
    await waitForConnectionState(tk, instanceId, 'connected');
    expect(slack.socketMode.connectionCount).toBe(before + 1);
    const payload = slack.events.message({ channel: 'D1', user: 'U1', text: 'after reconnect' });
    await slack.socketMode.waitForAck(slack.socketMode.sendEvent(payload));
  });

  it('follows a disconnect request from Slack by reconnecting', async () => {
    const before = slack.socketMode.connectionCount;
    slack.socketMode.sendDisconnect('refresh_requested');
    await slack.socketMode.waitUntil('a new connection', () => (slack.socketMode.connectionCount > before ? true : undefined), 8_000);
    await waitForConnectionState(tk, instanceId, 'connected');
  });

  it('stays disconnected after a deliberate disconnect', async () => {
    await tk.kernel.connections.disconnect(instanceId);
    const count = slack.socketMode.connectionCount;
    await new Promise((r) => setTimeout(r, 1_200));
    expect(slack.socketMode.openConnections).toBe(0);
    expect(slack.socketMode.connectionCount).toBe(count);
    expect(tk.kernel.connections.status(instanceId).state).toBe('disconnected');
    await tk.kernel.connections.connect(instanceId);
    await waitForConnectionState(tk, instanceId, 'connected');
  });

  it('shows a bad app token as an error status', async () => {
    const bad = await tk.createInstance({ channel: 'slack', channelConfig: config({ appToken: 'xapp-wrong' }) });
    const status = await waitForConnectionState(tk, bad.id, 'error');
    expect(status.error).toMatchObject({ code: 'SLACK_INVALID_AUTH', retryable: false });
  });
});
