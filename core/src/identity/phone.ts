/**
 * Phone numbers in E.164 form (`+` and 7 to 15 digits, no leading zero). Identities and access
 * rules compare phones only in this form, so `+55 (11) 99999-0000`, `5511999990000@s.whatsapp.net`
 * and `5511999990000:12@s.whatsapp.net` are one number.
 */

/** WhatsApp JID servers whose user part is a phone number. `@lid`, `@g.us`, `@broadcast`, … are not. */
const PHONE_JID_SERVERS = new Set(['s.whatsapp.net', 'c.us']);
/** Separators people write inside numbers. */
const SEPARATORS = /[\s\-.()/]/g;
const E164_DIGITS = /^[1-9]\d{6,14}$/;

/** Whether a channel's user ids are phone numbers (WhatsApp JIDs or bare numbers). */
export const isPhoneChannel = (channel: string): boolean => channel === 'whatsapp' || channel.startsWith('whatsapp-');

/**
 * Normalizes a value that is meant to be a phone number (a sender's `phone`, a rule's phone) to
 * E.164. Accepts `+1 555-0100`, `0044 20 7946 0000` (`00` international prefix) and phone JIDs
 * (`15550100@s.whatsapp.net`, with or without a `:device` suffix). Undefined for anything else,
 * LIDs (`…@lid`) included: a LID is an opaque id, not a number.
 */
export function normalizePhone(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  let number = value.trim();
  const at = number.indexOf('@');
  if (at !== -1) {
    if (!PHONE_JID_SERVERS.has(number.slice(at + 1).toLowerCase())) return undefined;
    number = number.slice(0, at);
    const colon = number.indexOf(':');
    if (colon !== -1) number = number.slice(0, colon);
  }
  number = number.replace(SEPARATORS, '');
  if (number.startsWith('+')) number = number.slice(1);
  else if (number.startsWith('00')) number = number.slice(2);
  return E164_DIGITS.test(number) ? `+${number}` : undefined;
}

/**
 * The phone number a platform user id stands for, if the channel's ids are numbers: only
 * WhatsApp channels (`whatsapp`, `whatsapp-*`). A Discord snowflake or Telegram id is all digits
 * but no phone, so other channels always give undefined.
 */
export function phoneFromPlatformUserId(channel: string, platformUserId: string): string | undefined {
  return isPhoneChannel(channel) ? normalizePhone(platformUserId) : undefined;
}

/** A sender's phone: its explicit `phone` when that is one, else what its id says on a phone channel. */
export function senderPhone(channel: string, sender: { id: string; phone?: string | null | undefined }): string | undefined {
  return normalizePhone(sender.phone) ?? phoneFromPlatformUserId(channel, sender.id);
}
