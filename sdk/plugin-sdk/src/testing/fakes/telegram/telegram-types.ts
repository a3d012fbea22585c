/**
 * The subset of Telegram Bot API objects the fake produces and accepts
 * (https://core.telegram.org/bots/api). Field names are the Bot API's own.
 */

export interface TgUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

export type TgChatType = 'private' | 'group' | 'supergroup' | 'channel';

export interface TgChat {
  id: number;
  type: TgChatType;
  title?: string;
  username?: string;
  first_name?: string;
  last_name?: string;
  is_forum?: boolean;
}

export interface TgFile {
  file_id: string;
  file_unique_id: string;
  file_size?: number;
  file_path?: string;
}

export interface TgPhotoSize extends TgFile {
  width: number;
  height: number;
}

export interface TgMediaFile extends TgFile {
  mime_type?: string;
  file_name?: string;
  duration?: number;
}

export interface TgSticker extends TgFile {
  type: 'regular' | 'mask' | 'custom_emoji';
  width: number;
  height: number;
  is_animated: boolean;
  is_video: boolean;
  emoji?: string;
}

export interface TgMessageEntity {
  type: string;
  offset: number;
  length: number;
  user?: TgUser;
}

export interface TgReactionType {
  type: 'emoji';
  emoji: string;
}

export interface TgMessage {
  message_id: number;
  message_thread_id?: number;
  is_topic_message?: boolean;
  date: number;
  edit_date?: number;
  chat: TgChat;
  from?: TgUser;
  /** The channel or group a message was sent on behalf of (channel posts, anonymous admins). */
  sender_chat?: TgChat;
  text?: string;
  entities?: TgMessageEntity[];
  caption?: string;
  caption_entities?: TgMessageEntity[];
  reply_to_message?: TgMessage;
  photo?: TgPhotoSize[];
  audio?: TgMediaFile;
  voice?: TgMediaFile;
  video?: TgMediaFile & { width?: number; height?: number };
  document?: TgMediaFile;
  sticker?: TgSticker;
  location?: { latitude: number; longitude: number };
  venue?: { location: { latitude: number; longitude: number }; title: string; address: string };
  contact?: { phone_number: string; first_name: string; last_name?: string; user_id?: number; vcard?: string };
}

export interface TgMessageReactionUpdated {
  chat: TgChat;
  message_id: number;
  user?: TgUser;
  date: number;
  old_reaction: TgReactionType[];
  new_reaction: TgReactionType[];
}

export interface TgUpdate {
  update_id: number;
  message?: TgMessage;
  edited_message?: TgMessage;
  channel_post?: TgMessage;
  edited_channel_post?: TgMessage;
  message_reaction?: TgMessageReactionUpdated;
}

/** The Bot API's answer envelope. */
export type TgResponse<T = unknown> =
  | { ok: true; result: T }
  | { ok: false; error_code: number; description: string; parameters?: { retry_after?: number; migrate_to_chat_id?: number } };
