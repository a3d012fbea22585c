/** The subset of Discord's API objects the fake serves, in Discord's own (snake_case) shape. */

export interface DiscordUser {
  id: string;
  username: string;
  discriminator: string;
  global_name: string | null;
  avatar: string | null;
  bot?: boolean;
}

/** Discord channel types the fake knows: guild text (0), DM (1), public thread (11). */
export type DiscordChannelType = 0 | 1 | 11;

export interface DiscordChannel {
  id: string;
  type: DiscordChannelType;
  name?: string;
  guild_id?: string;
  /** For threads: the channel the thread belongs to. */
  parent_id?: string | null;
  /** For DMs: the other user. */
  recipients?: DiscordUser[];
  position?: number;
  permission_overwrites?: unknown[];
  last_message_id?: string | null;
  thread_metadata?: { archived: boolean; auto_archive_duration: number; archive_timestamp: string; locked: boolean };
}

export interface DiscordGuild {
  id: string;
  name: string;
  channels: DiscordChannel[];
  threads: DiscordChannel[];
}

export interface DiscordAttachment {
  id: string;
  filename: string;
  size: number;
  url: string;
  proxy_url: string;
  content_type?: string;
  flags?: number;
}

export interface DiscordEmoji {
  id: string | null;
  name: string;
}

export interface DiscordMessage {
  id: string;
  channel_id: string;
  guild_id?: string;
  author: DiscordUser;
  content: string;
  timestamp: string;
  edited_timestamp: string | null;
  tts: boolean;
  mention_everyone: boolean;
  mentions: DiscordUser[];
  mention_roles: string[];
  attachments: DiscordAttachment[];
  embeds: unknown[];
  pinned: boolean;
  type: number;
  flags?: number;
  message_reference?: { message_id: string; channel_id?: string; guild_id?: string };
  referenced_message?: DiscordMessage | null;
  poll?: unknown;
}

/** One REST request the fake received. */
export interface RecordedCall {
  method: string;
  /** The path without the `/api/v10` prefix, e.g. `/channels/123/messages`. */
  route: string;
  query: Record<string, string>;
  /** True when the request carried the fake's bot token. */
  authorized: boolean;
  /** JSON body, or `payload_json` of a multipart body. */
  body: Record<string, unknown> | undefined;
  /** Files of a multipart body (`files[n]` fields). */
  files: Array<{ field: string; filename: string; contentType: string; size: number; data: Buffer }>;
  /** The status the fake answered with. */
  status: number;
  at: number;
}

/** One gateway payload the fake received from a client. */
export interface RecordedGatewayOp {
  op: number;
  d: unknown;
  at: number;
}

/** A failure the fake returns instead of the normal answer, for matching requests. */
export type InjectedFailure =
  | { kind: 'rate-limit'; retryAfterSeconds: number; global?: boolean }
  | { kind: 'missing-permissions' }
  | { kind: 'status'; status: number; code: number; message: string };
