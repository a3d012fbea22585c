/** One Web API call the fake received, in arrival order. */
export interface SlackApiCall {
  /** The method name, e.g. `chat.postMessage`. */
  method: string;
  /** The token the caller sent (Bearer header or `token` field), if any. */
  token?: string;
  /** The body fields: form fields are strings, JSON bodies keep their types. */
  params: Record<string, unknown>;
  /** What the fake answered. */
  response: { status: number; body: Record<string, unknown> };
}

export interface FakeSlackUser {
  id: string;
  name: string;
  realName?: string;
  displayName?: string;
  isBot?: boolean;
  avatarUrl?: string;
}

export type FakeSlackChannelType = 'im' | 'mpim' | 'channel' | 'group';

export interface FakeSlackChannel {
  id: string;
  name?: string;
  type: FakeSlackChannelType;
  /** The other member of an `im`. */
  user?: string;
}

export interface FakeSlackFile {
  id: string;
  name: string;
  title: string;
  mimetype: string;
  size: number;
  data: Buffer;
  /** Downloadable with `Authorization: Bearer <bot token>`. */
  url_private: string;
  url_private_download: string;
}

export interface FakeSlackMessage {
  channel: string;
  ts: string;
  text?: string;
  user?: string;
  bot_id?: string;
  thread_ts?: string;
  files?: string[];
  reactions: Array<{ name: string; users: string[] }>;
  edited?: { user: string; ts: string };
}

/** A failure the next call(s) of a method get instead of a normal answer. */
export interface InjectedFailure {
  /** Slack's error string, e.g. `missing_scope`, `not_in_channel`, `ratelimited`. */
  error: string;
  /** HTTP status (default 200, as Slack answers platform errors; 429 for rate limits). */
  status?: number;
  /** Seconds for the `retry-after` header (429 only). */
  retryAfterSec?: number;
  /** How many calls fail (default 1). */
  times?: number;
  /** Extra fields in the error body (e.g. `needed: 'chat:write'`). */
  extra?: Record<string, unknown>;
}

export interface FakeSlackOptions {
  botToken?: string;
  appToken?: string;
  signingSecret?: string;
  teamId?: string;
  botUserId?: string;
  botId?: string;
  botName?: string;
}
