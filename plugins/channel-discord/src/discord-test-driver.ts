import type { ChannelTestDriver, ObservedOutbound } from '@omni/plugin-sdk/testing';
import { startFakeDiscord, type FakeDiscord, type FakeDiscordOptions, type RecordedCall } from '@omni/plugin-sdk/testing/discord';
import { mediaKind } from './attachments.js';

const MESSAGE_POST = /^\/channels\/(\d+)\/messages$/;
const REACTION_PUT = /^\/channels\/(\d+)\/messages\/[^/]+\/reactions\//;

/** What a recorded REST call sent, as the conformance suite sees outbound messages. */
export function observedOutbound(call: RecordedCall): ObservedOutbound | undefined {
  const reaction = call.method === 'PUT' ? REACTION_PUT.exec(call.route) : null;
  if (reaction) return { to: reaction[1]!, type: 'reaction' };
  const post = call.method === 'POST' ? MESSAGE_POST.exec(call.route) : null;
  if (!post || call.status !== 200) return undefined;
  const text = typeof call.body?.content === 'string' ? call.body.content : undefined;
  if (call.body?.poll) return { to: post[1]!, type: 'poll' };
  const file = call.files[0];
  if (file) return { to: post[1]!, type: mediaKind(file.contentType), text };
  return { to: post[1]!, type: 'text', text };
}

/** A conformance driver over the fake Discord: users post in #general, the bot's REST calls are observed. */
export async function createDiscordDriver(options: FakeDiscordOptions = {}): Promise<ChannelTestDriver & { fake: FakeDiscord }> {
  const fake = await startFakeDiscord(options);
  const general = fake.guild.channels[0]!.id;
  let cursor = 0;
  return {
    fake,
    recipient: general,
    instanceConfig: () => ({ botToken: fake.token, apiBaseUrl: fake.apiBase, reconnect: { baseDelayMs: 100, maxDelayMs: 1_000 } }),
    async deliverText(_target, m) {
      await fake.waitForSessions(1);
      const author = fake.addUser(m.fromName?.toLowerCase().replace(/\W+/g, '-') ?? 'someone', { global_name: m.fromName ?? null });
      fake.userMessage({ channelId: m.chatId, author, content: m.text, id: m.externalId });
    },
    async nextOutbound(timeoutMs = 5_000) {
      const call = await fake.waitForCall((c) => observedOutbound(c) !== undefined, { timeoutMs, fromIndex: cursor });
      cursor = fake.calls.indexOf(call) + 1;
      return observedOutbound(call)!;
    },
    close: () => fake.close(),
  };
}
