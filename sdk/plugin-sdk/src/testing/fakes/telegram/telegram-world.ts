import { randomBytes } from 'node:crypto';
import type { UploadedFile } from './multipart.js';
import type { TgChat, TgFile, TgMessage, TgUser } from './telegram-types.js';

/** A Bot API error answer: `{ok:false, error_code, description, parameters}` with the same HTTP status. */
export class TgApiError extends Error {
  constructor(
    readonly errorCode: number,
    readonly description: string,
    readonly parameters?: { retry_after?: number },
  ) {
    super(description);
  }
}

export const badRequest = (what: string) => new TgApiError(400, `Bad Request: ${what}`);

interface StoredFile {
  file: TgFile;
  data: Buffer;
  mimeType?: string;
}

/** The fake's platform state: users, chats, messages and files. */
export class TelegramWorld {
  readonly chats = new Map<number, TgChat>();
  readonly messages = new Map<string, TgMessage>();
  private readonly files = new Map<string, StoredFile>();
  private nextMessageId = 100;
  private nextUserId = 1_000_001;
  private nextGroupId = 1;
  private nextFile = 1;

  constructor(readonly bot: TgUser) {}

  user(input: Partial<TgUser> = {}): TgUser {
    const user: TgUser = { id: input.id ?? this.nextUserId++, is_bot: input.is_bot ?? false, first_name: input.first_name ?? 'Test User', ...input };
    this.privateChat(user);
    return user;
  }

  /** The private chat (DM) with a user: its id is the user's id. */
  privateChat(user: TgUser): TgChat {
    const chat: TgChat = { id: user.id, type: 'private', first_name: user.first_name, ...(user.last_name ? { last_name: user.last_name } : {}), ...(user.username ? { username: user.username } : {}) };
    this.chats.set(chat.id, chat);
    return chat;
  }

  /** A supergroup; `forum: true` makes it a group with topics. */
  group(input: { title?: string; id?: number; forum?: boolean } = {}): TgChat {
    const chat: TgChat = { id: input.id ?? -(1_000_000_000_000 + this.nextGroupId++), type: 'supergroup', title: input.title ?? 'Test Group', ...(input.forum ? { is_forum: true } : {}) };
    this.chats.set(chat.id, chat);
    return chat;
  }

  /** A broadcast channel the bot is an admin of. */
  channel(input: { title?: string; id?: number; username?: string } = {}): TgChat {
    const chat: TgChat = { id: input.id ?? -(1_000_000_000_000 + this.nextGroupId++), type: 'channel', title: input.title ?? 'Test Channel', ...(input.username ? { username: input.username } : {}) };
    this.chats.set(chat.id, chat);
    return chat;
  }

  chat(chatId: unknown): TgChat {
    const chat = this.chats.get(Number(chatId));
    if (!chat) throw badRequest('chat not found');
    return chat;
  }

  message(chatId: number, messageId: unknown): TgMessage | undefined {
    return this.messages.get(`${chatId}:${Number(messageId)}`);
  }

  /** Stores a message under a fresh id and returns it. */
  addMessage(fields: Omit<TgMessage, 'message_id' | 'date'> & { date?: number }): TgMessage {
    const message: TgMessage = { message_id: this.nextMessageId++, date: fields.date ?? Math.floor(Date.now() / 1000), ...fields };
    this.messages.set(`${message.chat.id}:${message.message_id}`, message);
    return message;
  }

  putFile(data: Buffer, options: { mimeType?: string; folder?: string; extension?: string } = {}): TgFile {
    const n = this.nextFile++;
    const file: TgFile = {
      file_id: `file-${n}-${randomBytes(6).toString('hex')}`,
      file_unique_id: `u${n}`,
      file_size: data.length,
      file_path: `${options.folder ?? 'documents'}/file_${n}${options.extension ?? ''}`,
    };
    this.files.set(file.file_id, { file, data, mimeType: options.mimeType });
    return file;
  }

  putUpload(upload: UploadedFile, folder: string): TgFile {
    const ext = /\.[A-Za-z0-9]+$/.exec(upload.filename)?.[0] ?? '';
    return this.putFile(upload.data, { mimeType: upload.contentType, folder, extension: ext });
  }

  file(fileId: unknown): StoredFile {
    const stored = typeof fileId === 'string' ? this.files.get(fileId) : undefined;
    if (!stored) throw badRequest('invalid file_id');
    return stored;
  }

  fileByPath(path: string): StoredFile | undefined {
    for (const stored of this.files.values()) if (stored.file.file_path === path) return stored;
    return undefined;
  }
}
