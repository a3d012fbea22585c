import type { DiscordChannel, DiscordGuild, DiscordMessage, DiscordUser } from './types.js';

/** Gateway intent bits the fake honours when it decides who gets a dispatch. */
export const INTENTS = {
  guilds: 1 << 0,
  guildMessages: 1 << 9,
  guildMessageReactions: 1 << 10,
  directMessages: 1 << 12,
  directMessageReactions: 1 << 13,
  messageContent: 1 << 15,
} as const;

/** Hands out increasing snowflake-shaped ids (numeric strings that discord.js accepts). */
export function snowflakes(start = 1_300_000_000_000_000_000n): () => string {
  let next = start;
  return () => String(next++);
}

export function user(id: string, username: string, extra: Partial<DiscordUser> = {}): DiscordUser {
  return { id, username, discriminator: '0', global_name: null, avatar: null, ...extra };
}

/** A GUILD_CREATE payload complete enough for discord.js to cache the guild, its channels and threads. */
export function guildCreate(guild: DiscordGuild): Record<string, unknown> {
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    owner_id: '1',
    unavailable: false,
    member_count: 2,
    large: false,
    joined_at: new Date().toISOString(),
    features: [],
    roles: [{ id: guild.id, name: '@everyone', permissions: '1071698660929', position: 0, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 }],
    emojis: [],
    stickers: [],
    members: [],
    voice_states: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
    channels: guild.channels.map(channelPayload),
    threads: guild.threads.map(channelPayload),
  };
}

export function channelPayload(channel: DiscordChannel): DiscordChannel {
  const base: DiscordChannel = { permission_overwrites: [], position: 0, last_message_id: null, ...channel };
  if (channel.type === 11) {
    base.thread_metadata ??= { archived: false, auto_archive_duration: 1440, archive_timestamp: new Date().toISOString(), locked: false };
  }
  return base;
}

export function message(fields: Pick<DiscordMessage, 'id' | 'channel_id' | 'author'> & Partial<DiscordMessage>): DiscordMessage {
  return {
    content: '',
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    pinned: false,
    type: 0,
    ...fields,
  };
}

/** The member object Discord adds to guild message dispatches. */
export const memberStub = () => ({ roles: [], joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0 });
