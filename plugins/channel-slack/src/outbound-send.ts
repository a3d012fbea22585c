import type { FilesUploadV2Arguments, WebClient } from '@slack/web-api';
import type { MessageRef, OutboundMessage, SendResult } from '@omni/plugin-sdk';
import { reactionName } from './emoji-names.js';
import { messageKey, parseMessageKey } from './message-key.js';
import { mediaBytes } from './outbound-media.js';
import { describeSlackError, type SlackFailure } from './slack-errors.js';
import { withRateLimit } from './web-client.js';

export interface OutboundContext {
  client: WebClient;
  maxRateLimitWaitMs: number;
  requestTimeoutMs: number;
  maxFileSize: number;
  /** Reaction names the bot added, by message key, so an empty emoji can remove the last one. */
  reactions: Map<string, string>;
  /** Told about every Slack failure (the connection turns auth failures into an error status). */
  onFailure(failure: SlackFailure): void;
}

const failed = (code: string, message: string, retryable = false): SendResult => ({ ok: false, error: { code, message, retryable } });

async function call(ctx: OutboundContext, run: () => Promise<SendResult>): Promise<SendResult> {
  try {
    return await withRateLimit(run, ctx.maxRateLimitWaitMs);
  } catch (err) {
    const f = describeSlackError(err);
    ctx.onFailure(f);
    return { ok: false, error: { code: f.code, message: f.message, retryable: f.retryable, ...(f.retryAfterMs !== undefined ? { retryAfterMs: f.retryAfterMs } : {}) } };
  }
}

/** thread_ts for a send: its threadId, else the ts of the message it replies to (Slack replies are thread replies). */
function threadTs(message: OutboundMessage): string | undefined {
  if (message.threadId) return parseMessageKey(message.threadId, message.to).ts;
  return message.replyTo ? parseMessageKey(message.replyTo, message.to).ts : undefined;
}

/** Sends one outbound message: text with chat.postMessage, media with file upload v2, reactions with reactions.add/remove. */
export async function sendMessage(ctx: OutboundContext, message: OutboundMessage): Promise<SendResult> {
  const { content, to } = message;
  const thread_ts = threadTs(message);
  switch (content.type) {
    case 'text':
      return call(ctx, async () => {
        const res = await ctx.client.chat.postMessage({ channel: to, text: content.text, ...(thread_ts ? { thread_ts } : {}) });
        return { ok: true, externalId: messageKey(res.channel ?? to, res.ts!) };
      });
    case 'image':
    case 'audio':
    case 'video':
    case 'document': {
      const bytes = await mediaBytes(content.media, content.type, ctx.requestTimeoutMs, ctx.maxFileSize);
      if (!bytes.ok) return failed('MEDIA_UNAVAILABLE', bytes.message);
      const caption = 'caption' in content ? content.caption : undefined;
      return call(ctx, async () => {
        const res = await ctx.client.filesUploadV2({
          channel_id: to,
          file: bytes.data,
          filename: bytes.filename,
          ...(caption ? { initial_comment: caption } : {}),
          ...(thread_ts ? { thread_ts } : {}),
        } as FilesUploadV2Arguments);
        return { ok: true, externalId: uploadedId(res.files, to) };
      });
    }
    case 'reaction': {
      const target = parseMessageKey(content.messageId, to);
      const key = messageKey(target.channel, target.ts);
      const remove = content.emoji === '';
      const name = remove ? ctx.reactions.get(key) : reactionName(content.emoji);
      if (!name) return failed(remove ? 'REACTION_UNKNOWN' : 'UNSUPPORTED_EMOJI', remove ? 'no reaction of this bot on that message to remove' : `no Slack reaction name known for '${content.emoji}'; send a :shortcode:`);
      return call(ctx, async () => {
        if (remove) await ctx.client.reactions.remove({ channel: target.channel, timestamp: target.ts, name });
        else await ctx.client.reactions.add({ channel: target.channel, timestamp: target.ts, name });
        if (remove) ctx.reactions.delete(key);
        else ctx.reactions.set(key, name);
        return { ok: true, externalId: `${key}:${remove ? 'unreact' : 'react'}:${name}` };
      });
    }
    default:
      return failed('CAPABILITY_NOT_SUPPORTED', `Slack cannot send ${content.type}`);
  }
}

/** The id of an uploaded file's message: `<channel>:<ts>` from its shares, else the file id. */
function uploadedId(completions: unknown, channel: string): string {
  const files = (Array.isArray(completions) ? completions : []).flatMap((c: { files?: unknown[] }) => c.files ?? []) as Array<{ id?: string; shares?: Record<string, Record<string, Array<{ ts?: string }>>> }>;
  for (const f of files) {
    for (const scope of Object.values(f.shares ?? {})) {
      const ts = scope[channel]?.[0]?.ts;
      if (ts) return messageKey(channel, ts);
    }
  }
  return `file:${files[0]?.id ?? 'unknown'}`;
}

export function editMessage(ctx: OutboundContext, ref: MessageRef, text: string): Promise<SendResult> {
  const target = parseMessageKey(ref.messageId, ref.chatId);
  return call(ctx, async () => {
    const res = await ctx.client.chat.update({ channel: target.channel, ts: target.ts, text });
    return { ok: true, externalId: messageKey(res.channel ?? target.channel, res.ts ?? target.ts) };
  });
}

export function deleteMessage(ctx: OutboundContext, ref: MessageRef): Promise<SendResult> {
  const target = parseMessageKey(ref.messageId, ref.chatId);
  return call(ctx, async () => {
    await ctx.client.chat.delete({ channel: target.channel, ts: target.ts });
    return { ok: true, externalId: messageKey(target.channel, target.ts) };
  });
}
