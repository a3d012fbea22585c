import type { ChannelTestDriver, ObservedOutbound } from '@omni/plugin-sdk/testing';
import { startFakeSlack, type FakeSlack, type SlackApiCall } from '@omni/plugin-sdk/testing/slack';
import { contentTypeOf } from './inbound-files.js';

const OUTBOUND = new Set(['chat.postMessage', 'files.completeUploadExternal', 'reactions.add']);

/** What a Web API call sent, in the conformance suite's terms. */
export function observe(fake: FakeSlack, call: SlackApiCall): ObservedOutbound {
  const p = call.params as Record<string, string>;
  if (call.method === 'chat.postMessage') return { to: p.channel!, type: 'text', text: p.text };
  if (call.method === 'reactions.add') return { to: p.channel!, type: 'reaction' };
  const [file] = JSON.parse(p.files!) as Array<{ id: string }>;
  return { to: p.channel_id!, type: contentTypeOf(fake.workspace.files.get(file!.id)?.mimetype ?? '') };
}

/**
 * A conformance driver over the fake Slack: events arrive signed at the webhook (mode `events`)
 * or as Socket Mode envelopes (mode `socket`); sends are read from the fake's call log.
 */
export async function createSlackDriver(mode: 'events' | 'socket' = 'events'): Promise<ChannelTestDriver & { fake: FakeSlack }> {
  const fake = await startFakeSlack();
  const user = 'U0CONFORM';
  fake.addUser({ id: user, name: 'conformance', realName: 'Conformance User' });
  fake.workspace.addChannel({ id: 'D0CONFORM', type: 'im', user });
  let cursor = 0;
  return {
    fake,
    recipient: 'D0CONFORM',
    instanceConfig: () =>
      mode === 'events'
        ? { botToken: fake.botToken, signingSecret: fake.signingSecret, slackApiUrl: fake.apiUrl }
        : { botToken: fake.botToken, appToken: fake.appToken, mode: 'socket', slackApiUrl: fake.apiUrl },
    async deliverText({ instanceId, baseUrl }, m) {
      const payload = fake.events.message({ channel: m.chatId, user, text: m.text });
      const externalId = `${m.chatId}:${(payload.event as { ts: string }).ts}`;
      if (mode === 'socket') {
        await fake.socketMode.waitForAck(fake.socketMode.sendEvent(payload));
        return { externalId };
      }
      const res = await fake.deliver(`${baseUrl}/api/v2/webhooks/slack/${instanceId}`, payload);
      if (res.status !== 200) throw new Error(`slack webhook answered ${res.status}: ${JSON.stringify(res.body)}`);
      return { externalId };
    },
    async nextOutbound(timeoutMs = 5_000) {
      const call = await fake.waitForCall((c) => OUTBOUND.has(c.method) && c.response.body.ok === true, { after: cursor, timeoutMs });
      cursor = fake.calls.indexOf(call) + 1;
      return observe(fake, call);
    },
    close: () => fake.close(),
  };
}
