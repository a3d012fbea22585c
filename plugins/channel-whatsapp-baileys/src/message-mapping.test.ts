import { proto, type WAMessage } from 'baileys';
import { describe, expect, it } from 'vitest';
import { OmniError } from '@omni/plugin-sdk';
import { senderOf, toInboundMessage } from './inbound-message.js';
import { toJid } from './jid.js';
import { toBaileysContent } from './outbound-content.js';
import { buildVcard, parseVcard } from './vcard.js';

const noMedia = async () => {
  throw new Error('media host unreachable');
};
const msg = (message: proto.IMessage, key: Partial<WAMessage['key']> = {}): WAMessage => ({
  key: { remoteJid: '15550001111@s.whatsapp.net', fromMe: false, id: 'X1', ...key },
  message,
  messageTimestamp: 1_700_000_000,
  pushName: 'Ana',
});

describe('inbound mapping', () => {
  it('prefers the phone JID over a LID, for DMs and group participants', () => {
    expect(senderOf({ remoteJid: '999@lid', remoteJidAlt: '15550003333@s.whatsapp.net' })).toEqual({ id: '15550003333@s.whatsapp.net', phone: '+15550003333', lid: '999@lid' });
    expect(senderOf({ remoteJid: '1203@g.us', participant: '777@lid', participantAlt: '15550004444@s.whatsapp.net' })).toMatchObject({ id: '15550004444@s.whatsapp.net', phone: '+15550004444' });
    expect(senderOf({ remoteJid: '999@lid' })).toEqual({ id: '999@lid', lid: '999@lid' });
    // a broadcast list's message: the sender is the participant, not the list
    expect(senderOf({ remoteJid: '1700000000123@broadcast', participant: '15550005555@s.whatsapp.net' })).toEqual({ id: '15550005555@s.whatsapp.net', phone: '+15550005555' });
  });

  it('keeps a message whose media could not be downloaded, with the reason', async () => {
    const input = await toInboundMessage(msg({ imageMessage: { url: 'https://mmg.whatsapp.net/x', mimetype: 'image/jpeg', caption: 'c' } }), noMedia);
    expect(input).toMatchObject({ content: { type: 'image', caption: 'c', media: { url: 'https://mmg.whatsapp.net/x', mimeType: 'image/jpeg' } }, raw: { mediaError: 'media host unreachable' } });
  });

  it('marks history and skips what carries nothing to route', async () => {
    expect(await toInboundMessage(msg({ conversation: 'old' }), noMedia, 'history')).toMatchObject({ ingestMode: 'history', timestamp: new Date(1_700_000_000_000) });
    expect(await toInboundMessage(msg({ conversation: 'story' }, { remoteJid: 'status@broadcast' }), noMedia)).toBeUndefined();
    expect(await toInboundMessage(msg({ protocolMessage: { type: proto.Message.ProtocolMessage.Type.HISTORY_SYNC_NOTIFICATION } }), noMedia)).toBeUndefined();
    expect(await toInboundMessage(msg({ ephemeralMessage: { message: { conversation: 'wrapped' } } }), noMedia)).toMatchObject({ content: { type: 'text', text: 'wrapped' } });
  });
});

describe('outbound mapping', () => {
  it('accepts phone numbers in common notations and JIDs, and refuses the rest with a 400', () => {
    expect(toJid('+49 151 2345-678')).toBe('491512345678@s.whatsapp.net');
    expect(toJid('15550001111@s.whatsapp.net')).toBe('15550001111@s.whatsapp.net');
    expect(toJid('120363000000000001@g.us')).toBe('120363000000000001@g.us');
    expect(() => toJid('alice')).toThrow(OmniError);
    expect(() => toJid('alice@example.com')).toThrow(/not a WhatsApp JID/);
  });

  it('builds voice notes, documents, polls, reactions and contacts', () => {
    const jid = '15550001111@s.whatsapp.net';
    expect(toBaileysContent({ type: 'audio', media: { base64: 'AAAA' }, voiceNote: true }, jid)).toMatchObject({ ptt: true, mimetype: 'audio/ogg; codecs=opus' });
    expect(toBaileysContent({ type: 'document', media: { url: 'https://x.test/a.pdf', mimeType: 'application/pdf', filename: 'a.pdf' } }, jid)).toEqual({
      document: { url: 'https://x.test/a.pdf' },
      mimetype: 'application/pdf',
      fileName: 'a.pdf',
    });
    expect(toBaileysContent({ type: 'poll', question: 'Q', options: ['a', 'b'], multipleAnswers: true }, jid)).toEqual({ poll: { name: 'Q', values: ['a', 'b'], selectableCount: 0 } });
    expect(toBaileysContent({ type: 'reaction', messageId: 'M1', emoji: '' }, jid)).toEqual({ react: { text: '', key: { remoteJid: jid, id: 'M1', fromMe: false } } });
    expect(() => toBaileysContent({ type: 'image', media: { storageKey: 'k' } }, jid)).toThrow(/url or base64/);
  });

  it('round-trips a contact card through vCard', () => {
    const card = { name: 'Ada, Countess', phone: '+15550100', email: 'ada@example.com', organization: 'Engines' };
    expect(parseVcard(buildVcard(card))).toEqual(card);
  });
});
