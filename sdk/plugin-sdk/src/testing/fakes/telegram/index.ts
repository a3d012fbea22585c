export { startFakeTelegram, type FakeTelegram, type FakeTelegramOptions, type TelegramCall, type InjectedError, type UserFile, type UserMessageInput, type DeliverOptions } from './fake-telegram.js';
export { TelegramWorld } from './telegram-world.js';
export { parseMultipart, type MultipartBody, type UploadedFile } from './multipart.js';
export type * from './telegram-types.js';
