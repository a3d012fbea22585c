import { ChannelType, Routes, type APIChannel, type APIMessage, type REST } from 'discord.js';
import type { SyncProgress, SyncReport, SyncRequest } from '@omni/plugin-sdk';
import { normalizeMessage, type InboundContext } from './inbound.js';

const TEXT_CHANNELS: number[] = [ChannelType.GuildText, ChannelType.GuildAnnouncement];
const FORUM_CHANNELS: number[] = [ChannelType.GuildForum, ChannelType.GuildMedia];
const PAGE = 100;
const DEFAULT_MAX_MESSAGES = 1000;

interface SyncDeps {
  rest: REST;
  inbound: InboundContext;
}

type GuildChannel = APIChannel & { guild_id?: string; parent_id?: string | null };

/**
 * The channels to import: the requested ones, else every text channel of the requested (or all)
 * guilds; plus their active threads (`includeThreads`) and the active posts of forums (`includeForums`).
 */
async function channelsToSync(rest: REST, discord: NonNullable<SyncRequest['discord']>): Promise<GuildChannel[]> {
  const guildIds = discord.guildIds ?? ((await rest.get(Routes.userGuilds())) as Array<{ id: string }>).map((g) => g.id);
  const selected: GuildChannel[] = [];
  for (const guildId of guildIds) {
    const wanted = ((await rest.get(Routes.guildChannels(guildId))) as GuildChannel[]).filter((c) => !discord.channelIds || discord.channelIds.includes(c.id));
    const text = wanted.filter((c) => TEXT_CHANNELS.includes(c.type));
    const forums = wanted.filter((c) => FORUM_CHANNELS.includes(c.type));
    selected.push(...text);
    if (discord.includeThreads || discord.includeForums) {
      const parents = new Set([...(discord.includeThreads ? text : []), ...(discord.includeForums ? forums : [])].map((c) => c.id));
      const { threads } = (await rest.get(Routes.guildActiveThreads(guildId))) as { threads: GuildChannel[] };
      selected.push(...threads.filter((t) => t.parent_id && parents.has(t.parent_id)));
    }
  }
  return selected;
}

/** Reads a channel's messages newest first, page by page, until `max` or `since`. */
async function readHistory(rest: REST, channelId: string, max: number, since?: string, until?: string): Promise<APIMessage[]> {
  const out: APIMessage[] = [];
  let before: string | undefined;
  const sinceMs = since ? Date.parse(since) : undefined;
  const untilMs = until ? Date.parse(until) : undefined;
  while (out.length < max) {
    const query = new URLSearchParams({ limit: String(Math.min(PAGE, max - out.length)), ...(before ? { before } : {}) });
    const page = (await rest.get(Routes.channelMessages(channelId), { query })) as APIMessage[];
    if (page.length === 0) break;
    for (const msg of page) {
      const at = Date.parse(msg.timestamp);
      if (sinceMs !== undefined && at < sinceMs) return out;
      if (untilMs === undefined || at <= untilMs) out.push(msg);
    }
    before = page.at(-1)!.id;
    if (page.length < PAGE) break;
  }
  return out;
}

/**
 * `POST /instances/:id/sync` for Discord: walks guilds, channels and (optionally) threads and hands
 * up to `maxMessagesPerChannel` messages per channel to the kernel as history (stored, not answered).
 */
export async function syncDiscordHistory(deps: SyncDeps, request: SyncRequest, progress: (p: SyncProgress) => void): Promise<SyncReport> {
  const discord = request.discord ?? {};
  const channels = await channelsToSync(deps.rest, discord);
  progress({ stage: 'chats', current: channels.length, total: channels.length });
  const report: SyncReport = { contactsCount: 0, chatsCount: channels.length, messagesCount: 0 };
  if (!request.syncMessages) return report;
  const authors = new Set<string>();
  const max = discord.maxMessagesPerChannel ?? DEFAULT_MAX_MESSAGES;
  const history: InboundContext = { ...deps.inbound, ingestMode: 'history', downloadMedia: request.processMedia === true };
  for (const [i, channel] of channels.entries()) {
    const messages = await readHistory(deps.rest, channel.id, max, request.since, request.until);
    // Oldest first, as they happened.
    for (const msg of messages.reverse()) {
      for (const inbound of await normalizeMessage({ ...msg, guild_id: channel.guild_id }, history)) {
        await deps.inbound.instance.receive(inbound);
        report.messagesCount++;
        authors.add(inbound.sender.id);
      }
    }
    progress({ stage: 'messages', current: i + 1, total: channels.length });
  }
  report.contactsCount = authors.size;
  return report;
}
