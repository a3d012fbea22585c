import type { ContactCard } from '@omni/plugin-sdk';

const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/([,;])/g, '\\$1');
const unescape = (v: string) => v.replace(/\\n/gi, '\n').replace(/\\([,;\\])/g, '$1');

/** A vCard 3.0 for a contact message; `waid` lets WhatsApp show a "message" button for the number. */
export function buildVcard(card: ContactCard): string {
  const lines = ['BEGIN:VCARD', 'VERSION:3.0', `FN:${escape(card.name)}`];
  if (card.organization) lines.push(`ORG:${escape(card.organization)}`);
  if (card.phone) {
    const digits = card.phone.replace(/\D/g, '');
    lines.push(`TEL;type=CELL;type=VOICE;waid=${digits}:${card.phone}`);
  }
  if (card.email) lines.push(`EMAIL:${escape(card.email)}`);
  lines.push('END:VCARD');
  return lines.join('\n');
}

/** The first name, phone, email and organization found in a vCard; `fallbackName` when it has no FN. */
export function parseVcard(vcard: string, fallbackName = 'Contact'): ContactCard {
  const fields = vcard.split(/\r?\n/).map((line) => {
    const colon = line.indexOf(':');
    return { key: line.slice(0, colon).toUpperCase(), value: unescape(line.slice(colon + 1).trim()) };
  });
  const first = (name: string) => fields.find((f) => f.key === name || f.key.startsWith(`${name};`));
  const tel = first('TEL') ?? first('ITEM1.TEL');
  const waid = tel?.key.match(/WAID=(\d+)/)?.[1];
  const phone = waid ? `+${waid}` : tel?.value;
  const card: ContactCard = { name: first('FN')?.value || fallbackName };
  if (phone) card.phone = phone;
  const email = first('EMAIL')?.value;
  if (email) card.email = email;
  const org = first('ORG')?.value.replace(/;+$/, '');
  if (org) card.organization = org;
  return card;
}
