import { Routes, type APIUser, type REST } from 'discord.js';
import { OmniError, type ChannelAdapter, type ChannelInstance } from '@omni/plugin-sdk';
import { createRest } from './discord-rest.js';
import { GatewaySession } from './gateway-session.js';
import { normalizeDispatch, type ChannelInfo, type InboundContext } from './inbound.js';
import type { DiscordInstanceConfig } from './instance-config.js';
import { DiscordOutbound } from './outbound.js';
import { isAuthFailure } from './platform-error.js';
import { fetchUser, profileOf, updateBotProfile } from './profile.js';
import { syncDiscordHistory } from './sync.js';
import { handleDiscordWebhook } from './webhook-ingress.js';

/** One connected instance: its REST client, outbound sender, gateway session (gateway ingress) and channel cache. */
interface LiveInstance {
  instance: ChannelInstance<DiscordInstanceConfig>;
  rest: REST;
  outbound: DiscordOutbound;
  session?: GatewaySession;
  botUserId?: string;
  channels: Map<string, ChannelInfo | undefined>;
}

/** The Discord channel: discord.js gateway (or signed webhook) in, REST out. */
export function createDiscordAdapter(): ChannelAdapter<DiscordInstanceConfig> {
  const live = new Map<string, LiveInstance>();
  const get = (instanceId: string) => {
    const entry = live.get(instanceId);
    if (!entry) throw new OmniError('SERVICE_UNAVAILABLE', `Discord instance ${instanceId} is not connected`);
    return entry;
  };

  /** A channel's type and parent, from the gateway cache or else one REST lookup (remembered). */
  const channelInfo = async (entry: LiveInstance, channelId: string): Promise<ChannelInfo | undefined> => {
    const cached = entry.session?.client?.channels.cache.get(channelId);
    if (cached) return { type: cached.type, parentId: 'parentId' in cached ? cached.parentId : null };
    if (entry.channels.has(channelId)) return entry.channels.get(channelId);
    const info = await entry.rest
      .get(Routes.channel(channelId))
      .then((c) => ({ type: (c as { type: number }).type, parentId: (c as { parent_id?: string | null }).parent_id ?? null }))
      .catch(() => undefined);
    entry.channels.set(channelId, info);
    return info;
  };

  const inboundContext = (entry: LiveInstance): InboundContext => ({
    instance: entry.instance,
    botUserId: entry.session?.botUserId ?? entry.botUserId,
    channel: (id) => channelInfo(entry, id),
  });

  return {
    async connect(instance) {
      const rest = createRest(instance.config);
      const entry: LiveInstance = { instance, rest, outbound: new DiscordOutbound(rest), channels: new Map() };
      live.set(instance.id, entry);
      if (instance.config.ingress === 'gateway') {
        entry.session = new GatewaySession(instance, async (t, d) => {
          for (const message of await normalizeDispatch(t, d, inboundContext(entry))) await instance.receive(message);
        });
        entry.session.start();
        return;
      }
      // Webhook ingress holds no gateway: the token is checked once, then events arrive by HTTP.
      try {
        const me = (await rest.get(Routes.user())) as APIUser;
        entry.botUserId = me.id;
        instance.setStatus({ state: 'connected', account: { id: me.id, name: me.username } });
      } catch (err) {
        const auth = isAuthFailure(err);
        instance.setStatus({
          state: 'error',
          error: auth
            ? { code: 'UNAUTHORIZED', message: 'Discord refused the bot token (401 Unauthorized); update botToken and connect again', retryable: false }
            : { code: 'PLATFORM_UNREACHABLE', message: `could not reach Discord: ${(err as Error).message}`, retryable: true },
        });
      }
    },

    async disconnect(instanceId) {
      const entry = live.get(instanceId);
      live.delete(instanceId);
      await entry?.session?.stop();
    },

    send: (instanceId, message) => get(instanceId).outbound.send(message),
    edit: (instanceId, ref, text) => get(instanceId).outbound.edit(ref, text),
    delete: (instanceId, ref) => get(instanceId).outbound.delete(ref),

    async typing(instanceId, chatId, state) {
      // Discord's typing indicator lasts ~10 s or until the next message; there is no "stop".
      if (state === 'composing') await get(instanceId).outbound.typing(chatId);
    },

    async updateProfile(instanceId, profile) {
      const entry = get(instanceId);
      await updateBotProfile(entry.rest, entry.session?.client, profile);
    },

    async fetchProfile(instanceId, platformUserId) {
      return profileOf(await fetchUser(get(instanceId).rest, platformUserId));
    },

    async validateRecipient(instanceId, recipient) {
      const entry = get(instanceId);
      const id = recipient.replace(/^user:/, '');
      if (!/^\d{5,25}$/.test(id)) return { valid: false, exists: false, normalized: recipient };
      if (!recipient.startsWith('user:')) {
        const channel = await entry.rest.get(Routes.channel(id)).catch(() => undefined);
        if (channel) return { valid: true, exists: true, normalized: id, profile: { name: (channel as { name?: string }).name } };
      }
      const user = (await entry.rest.get(Routes.user(id)).catch(() => undefined)) as APIUser | undefined;
      if (!user) return { valid: true, exists: false, normalized: recipient };
      const profile = profileOf(user);
      return { valid: true, exists: true, normalized: `user:${id}`, profile: { name: profile.name, avatar: profile.avatarUrl } };
    },

    sync(instanceId, request, progress) {
      const entry = get(instanceId);
      return syncDiscordHistory({ rest: entry.rest, inbound: inboundContext(entry) }, request, progress);
    },

    async handleWebhook(instanceId, request) {
      const entry = live.get(instanceId);
      if (!entry) return { status: 503, body: { error: { code: 'SERVICE_UNAVAILABLE', message: 'this instance is disconnected; retry later' } } };
      return handleDiscordWebhook(request, { ...inboundContext(entry), publicKeyHex: entry.instance.config.publicKey, receive: (m) => entry.instance.receive(m) });
    },
  };
}
