import type { UploadedFile } from './multipart.js';
import type { TgFile, TgMediaFile, TgMessage, TgPhotoSize, TgSticker } from './telegram-types.js';
import { badRequest, TgApiError, type TelegramWorld } from './telegram-world.js';

export const MAX_TEXT_LENGTH = 4096;
export const MAX_CAPTION_LENGTH = 1024;

/** What a Bot API method handler can read and change. */
export interface MethodContext {
  params: Record<string, unknown>;
  files: Record<string, UploadedFile>;
  world: TelegramWorld;
  webhook: { url: string; secretToken?: string } | undefined;
  setWebhook(webhook: { url: string; secretToken?: string } | undefined, dropPending: boolean): void;
  pendingUpdates(): number;
  profile: { name?: string; description?: string; shortDescription?: string };
}

type MethodHandler = (ctx: MethodContext) => unknown;

const MEDIA_METHODS = {
  sendPhoto: { param: 'photo', folder: 'photos' },
  sendAudio: { param: 'audio', folder: 'music' },
  sendVoice: { param: 'voice', folder: 'voice' },
  sendVideo: { param: 'video', folder: 'videos' },
  sendDocument: { param: 'document', folder: 'documents' },
  sendSticker: { param: 'sticker', folder: 'stickers' },
} as const;

function required(params: Record<string, unknown>, name: string): unknown {
  const value = params[name];
  if (value === undefined || value === '') throw badRequest(`${name} is required`);
  return value;
}

/** The file a media send refers to: an upload, a known file_id or an HTTP URL Telegram would fetch. */
function mediaFile(ctx: MethodContext, param: string, folder: string): TgFile & { mime_type?: string; file_name?: string } {
  const upload = ctx.files[param];
  if (upload) return { ...ctx.world.putUpload(upload, folder), ...(upload.contentType ? { mime_type: upload.contentType } : {}), file_name: upload.filename };
  const ref = required(ctx.params, param);
  if (typeof ref !== 'string') throw badRequest(`wrong type of the ${param} parameter`);
  if (/^https?:\/\//.test(ref)) return ctx.world.putFile(Buffer.alloc(0), { folder });
  const stored = ctx.world.file(ref);
  return { ...stored.file, ...(stored.mimeType ? { mime_type: stored.mimeType } : {}) };
}

/** Builds and stores the message a bot sends, checking chat, reply target and thread. */
function botMessage(ctx: MethodContext, fields: Partial<TgMessage>): TgMessage {
  const chat = ctx.world.chat(required(ctx.params, 'chat_id'));
  const replyParams = ctx.params.reply_parameters as { message_id?: number; allow_sending_without_reply?: boolean } | undefined;
  const replyId = replyParams?.message_id ?? ctx.params.reply_to_message_id;
  const replyTo = replyId === undefined ? undefined : ctx.world.message(chat.id, replyId);
  if (replyId !== undefined && !replyTo && !replyParams?.allow_sending_without_reply) throw badRequest('message to be replied not found');
  const threadId = ctx.params.message_thread_id === undefined ? undefined : Number(ctx.params.message_thread_id);
  if (threadId !== undefined && !chat.is_forum) throw badRequest('message thread not found');
  return ctx.world.addMessage({
    chat,
    from: ctx.world.bot,
    ...(threadId !== undefined ? { message_thread_id: threadId, is_topic_message: true } : {}),
    ...(replyTo ? { reply_to_message: replyTo } : {}),
    ...fields,
  });
}

function caption(params: Record<string, unknown>): Partial<TgMessage> {
  if (typeof params.caption !== 'string' || params.caption === '') return {};
  if (params.caption.length > MAX_CAPTION_LENGTH) throw badRequest('message caption is too long');
  return { caption: params.caption };
}

function text(params: Record<string, unknown>): string {
  const value = params.text;
  if (typeof value !== 'string' || value.trim() === '') throw badRequest('message text is empty');
  if (value.length > MAX_TEXT_LENGTH) throw badRequest('message is too long');
  return value;
}

function ownMessage(ctx: MethodContext, notFound: string): TgMessage {
  const chat = ctx.world.chat(required(ctx.params, 'chat_id'));
  const message = ctx.world.message(chat.id, required(ctx.params, 'message_id'));
  if (!message) throw badRequest(notFound);
  return message;
}

const mediaHandlers = Object.fromEntries(
  Object.entries(MEDIA_METHODS).map(([method, { param, folder }]): [string, MethodHandler] => [
    method,
    (ctx) => {
      const file = mediaFile(ctx, param, folder);
      let fields: Partial<TgMessage>;
      if (param === 'photo') fields = { photo: [{ ...file, width: 1, height: 1 } satisfies TgPhotoSize] };
      else if (param === 'sticker') fields = { sticker: { ...file, type: 'regular', width: 512, height: 512, is_animated: false, is_video: false } satisfies TgSticker };
      else fields = { [param]: file satisfies TgMediaFile };
      return botMessage(ctx, { ...fields, ...(param === 'sticker' ? {} : caption(ctx.params)) });
    },
  ]),
);

/** The Bot API methods the fake implements (everything but getUpdates, which the server long-polls). */
export const BOT_METHODS: Record<string, MethodHandler> = {
  getMe: (ctx) => ({ ...ctx.world.bot, ...(ctx.profile.name ? { first_name: ctx.profile.name } : {}), can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false }),
  logOut: () => true,
  close: () => true,
  getChat: (ctx) => ({ ...ctx.world.chat(required(ctx.params, 'chat_id')), accent_color_id: 0, max_reaction_count: 11 }),
  sendMessage: (ctx) => {
    const value = text(ctx.params);
    return botMessage(ctx, { text: value });
  },
  ...mediaHandlers,
  sendLocation: (ctx) => botMessage(ctx, { location: { latitude: Number(required(ctx.params, 'latitude')), longitude: Number(required(ctx.params, 'longitude')) } }),
  sendVenue: (ctx) => {
    const location = { latitude: Number(required(ctx.params, 'latitude')), longitude: Number(required(ctx.params, 'longitude')) };
    return botMessage(ctx, { location, venue: { location, title: String(required(ctx.params, 'title')), address: String(required(ctx.params, 'address')) } });
  },
  sendContact: (ctx) =>
    botMessage(ctx, {
      contact: {
        phone_number: String(required(ctx.params, 'phone_number')),
        first_name: String(required(ctx.params, 'first_name')),
        ...(typeof ctx.params.last_name === 'string' ? { last_name: ctx.params.last_name } : {}),
        ...(typeof ctx.params.vcard === 'string' ? { vcard: ctx.params.vcard } : {}),
      },
    }),
  sendChatAction: (ctx) => {
    ctx.world.chat(required(ctx.params, 'chat_id'));
    required(ctx.params, 'action');
    return true;
  },
  setMessageReaction: (ctx) => {
    ownMessage(ctx, 'MESSAGE_ID_INVALID');
    const reaction = ctx.params.reaction ?? [];
    if (!Array.isArray(reaction) || reaction.some((r: { type?: unknown; emoji?: unknown }) => r?.type !== 'emoji' || typeof r.emoji !== 'string')) throw badRequest('REACTION_INVALID');
    return true;
  },
  editMessageText: (ctx) => {
    const message = ownMessage(ctx, 'message to edit not found');
    if (message.from?.id !== ctx.world.bot.id) throw badRequest("message can't be edited");
    const value = text(ctx.params);
    if (message.text === value) throw badRequest('message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
    Object.assign(message, { text: value, edit_date: Math.floor(Date.now() / 1000) });
    return message;
  },
  deleteMessage: (ctx) => {
    const message = ownMessage(ctx, 'message to delete not found');
    ctx.world.messages.delete(`${message.chat.id}:${message.message_id}`);
    return true;
  },
  getFile: (ctx) => ctx.world.file(required(ctx.params, 'file_id')).file,
  setWebhook: (ctx) => {
    const url = String(required(ctx.params, 'url'));
    if (!/^https?:\/\//.test(url)) throw badRequest('bad webhook: An HTTPS URL must be provided for webhook');
    const secretToken = typeof ctx.params.secret_token === 'string' ? ctx.params.secret_token : undefined;
    if (secretToken !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secretToken)) throw badRequest('bad webhook: secret token contains unallowed characters');
    ctx.setWebhook({ url, secretToken }, ctx.params.drop_pending_updates === true || ctx.params.drop_pending_updates === 'true');
    return true;
  },
  deleteWebhook: (ctx) => {
    ctx.setWebhook(undefined, ctx.params.drop_pending_updates === true || ctx.params.drop_pending_updates === 'true');
    return true;
  },
  getWebhookInfo: (ctx) => ({ url: ctx.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: ctx.pendingUpdates() }),
  setMyName: (ctx) => {
    const name = typeof ctx.params.name === 'string' ? ctx.params.name : '';
    if (name.length > 64) throw badRequest('bot name is too long');
    ctx.profile.name = name || undefined;
    return true;
  },
  setMyDescription: (ctx) => {
    const description = typeof ctx.params.description === 'string' ? ctx.params.description : '';
    if (description.length > 512) throw badRequest('bot description is too long');
    ctx.profile.description = description || undefined;
    return true;
  },
  setMyShortDescription: (ctx) => {
    const short = typeof ctx.params.short_description === 'string' ? ctx.params.short_description : '';
    if (short.length > 120) throw badRequest('bot short description is too long');
    ctx.profile.shortDescription = short || undefined;
    return true;
  },
};

export { TgApiError };
