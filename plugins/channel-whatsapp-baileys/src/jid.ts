import { isJidGroup, isLidUser, isPnUser, jidDecode, jidNormalizedUser } from 'baileys';
import { OmniError } from '@omni/plugin-sdk';

/** `+4915...` from a phone-number JID (`4915...:7@s.whatsapp.net`); undefined for LIDs and groups. */
export function phoneFromJid(jid: string | null | undefined): string | undefined {
  if (!jid || !isPnUser(jid)) return undefined;
  const user = jidDecode(jid)?.user;
  return user ? `+${user}` : undefined;
}

/**
 * A recipient as a JID. Accepts JIDs (`...@s.whatsapp.net`, `...@g.us`, `...@lid`) and phone
 * numbers in any common notation (`+49 151 2345-678`). Anything else is a 400.
 */
export function toJid(recipient: string): string {
  const value = recipient.trim();
  if (value.includes('@')) {
    if (isJidGroup(value) || isLidUser(value) || isPnUser(value)) return jidNormalizedUser(value) || value;
    throw new OmniError('VALIDATION_ERROR', `'${recipient}' is not a WhatsApp JID`);
  }
  const digits = value.replace(/[\s().-]/g, '').replace(/^\+/, '');
  if (!/^\d{7,15}$/.test(digits)) throw new OmniError('VALIDATION_ERROR', `'${recipient}' is neither a phone number nor a WhatsApp JID`);
  return `${digits}@s.whatsapp.net`;
}

export const digitsOf = (phone: string): string => phone.replace(/\D/g, '');
