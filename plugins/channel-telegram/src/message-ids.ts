/**
 * Telegram message ids are unique per chat only, so Omni's `externalId` for a Telegram
 * message is `<chat id>:<message id>` (e.g. `-100123:42`). Edits and reactions, which
 * have no id of their own, get `<chat id>:<message id>:edit:<edit date>` and
 * `<chat id>:<message id>:reaction:<user id>:<date>:<emoji>`.
 */
export const messageExternalId = (chatId: number | string, messageId: number) => `${chatId}:${messageId}`;

/** Splits an externalId back into chat and message id; a bare number is a message id in `fallbackChatId`. */
export function parseMessageRef(ref: string, fallbackChatId?: string): { chatId: string; messageId: number } | undefined {
  const full = /^(-?\d+|@\w+):(\d+)(?::|$)/.exec(ref);
  if (full) return { chatId: full[1]!, messageId: Number(full[2]) };
  if (/^\d+$/.test(ref) && fallbackChatId) return { chatId: fallbackChatId, messageId: Number(ref) };
  return undefined;
}
