import type { proto } from 'baileys';
import type { ContentType } from '@omni/plugin-sdk';
import { describeChannelConformance, waitFor, type ChannelTestDriver } from '@omni/plugin-sdk/testing';
import { FakeWhatsAppWeb, trustFakeWhatsAppWeb } from '@omni/plugin-sdk/testing/whatsapp-web';
import plugin from './index.js';

/** What the recipient's phone would show: the content type of a decrypted WhatsApp message. */
function contentTypeOf(message: proto.IMessage | undefined): ContentType | undefined {
  if (!message) return undefined;
  if (message.conversation || message.extendedTextMessage) return 'text';
  if (message.imageMessage) return 'image';
  if (message.audioMessage) return 'audio';
  if (message.videoMessage) return 'video';
  if (message.documentMessage) return 'document';
  if (message.stickerMessage) return 'sticker';
  if (message.locationMessage) return 'location';
  if (message.contactMessage || message.contactsArrayMessage) return 'contact';
  if (message.reactionMessage) return 'reaction';
  if (message.pollCreationMessage || message.pollCreationMessageV2 || message.pollCreationMessageV3) return 'poll';
  return undefined;
}

async function createDriver(): Promise<ChannelTestDriver> {
  const fake = await FakeWhatsAppWeb.start();
  await trustFakeWhatsAppWeb(fake);
  const phone = '15551110000';
  let consumed = 0;
  return {
    recipient: '+15550001111',
    instanceConfig: () => ({ websocketUrl: fake.url }),
    async link({ instanceId, http }) {
      const qr = await waitFor(`a QR code for ${instanceId}`, async () => {
        const res = await http.get(`/api/v2/instances/${instanceId}/qr`);
        return res.status === 200 ? (res.body.qr as string) : undefined;
      }, 15_000);
      fake.scanQr(qr, phone);
    },
    async deliverText(_target, m) {
      fake.pushMessage({ conversation: m.text }, { id: m.externalId, from: `${m.from.replace(/\D/g, '')}@s.whatsapp.net`, pushName: m.fromName, toPhone: phone });
    },
    async nextOutbound(timeoutMs = 10_000) {
      const stanza = await fake.nextStanza(() => true, timeoutMs, consumed);
      consumed = fake.stanzas.indexOf(stanza) + 1;
      const type = contentTypeOf(stanza.content);
      if (!type) throw new Error(`could not read the sent message ${stanza.id}: ${stanza.decryptError ?? 'unknown content'}`);
      const text = stanza.content?.conversation ?? stanza.content?.extendedTextMessage?.text ?? undefined;
      return { to: `+${stanza.to.split('@')[0]}`, type, ...(text ? { text } : {}) };
    },
    close: () => fake.close(),
  };
}

describeChannelConformance({ plugin, createDriver });
