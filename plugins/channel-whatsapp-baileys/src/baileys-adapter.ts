import { createHash } from 'node:crypto';
import { isJidGroup, type WAMessage } from 'baileys';
import { OmniError, type ChannelAdapter, type MessageRef, type OutboundMessage, type ProfileUpdate, type SendResult } from '@omni/plugin-sdk';
import { BaileysSession } from './baileys-session.js';
import type { ChatIndex } from './chat-index.js';
import { syncWhatsAppHistory } from './history-sync.js';
import type { BaileysInstanceConfig } from './instance-config.js';
import { digitsOf, toJid } from './jid.js';
import { toBaileysContent } from './outbound-content.js';
import type { SessionStore } from './session-store.js';

/** A WhatsApp-style stanza id derived from Omni's message id, so a retried send keeps its id. */
const stanzaIdFor = (omniId: string) => `3EB0${createHash('sha256').update(omniId).digest('hex').slice(0, 18).toUpperCase()}`;

const platformFailure = (err: unknown): SendResult => {
  if (err instanceof OmniError) throw err;
  const status = (err as { output?: { statusCode?: number } })?.output?.statusCode;
  const message = err instanceof Error ? err.message : String(err);
  return { ok: false, error: { code: 'PLATFORM_ERROR', message: `WhatsApp refused the message${status ? ` (${status})` : ''}: ${message}`, retryable: status === undefined || status >= 500 || status === 408 } };
};

/** Accepts a URL, a data URL or bare base64 for a profile picture. */
function pictureSource(picture: string): { url: string } | Buffer {
  if (/^https?:\/\//.test(picture)) return { url: picture };
  const base64 = picture.startsWith('data:') ? picture.slice(picture.indexOf(',') + 1) : picture;
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length === 0) throw new OmniError('VALIDATION_ERROR', 'picture must be an http(s) URL or base64 image data');
  return bytes;
}

/** The whatsapp-baileys adapter: one BaileysSession per connected instance. */
export function createBaileysAdapter(store: SessionStore, chats: ChatIndex): ChannelAdapter<BaileysInstanceConfig> {
  const sessions = new Map<string, BaileysSession>();
  /** Credential writes of stopped sessions still in flight, so a logout right after a disconnect waits for them. */
  const draining = new Map<string, Promise<void>>();
  const live = (instanceId: string) => {
    const session = sessions.get(instanceId);
    if (!session) throw new OmniError('SERVICE_UNAVAILABLE', `WhatsApp instance ${instanceId} is not connected`);
    return session.socket;
  };

  const sendContent = async (instanceId: string, jid: string, build: () => Parameters<ReturnType<typeof live>['sendMessage']>[1], options: { messageId?: string; quoted?: WAMessage } = {}): Promise<SendResult> => {
    const sock = live(instanceId);
    const content = build();
    try {
      const sent = await sock.sendMessage(jid, content, options);
      if (!sent?.key.id) return { ok: false, error: { code: 'PLATFORM_ERROR', message: 'WhatsApp returned no message id', retryable: true } };
      return { ok: true, externalId: sent.key.id };
    } catch (err) {
      return platformFailure(err);
    }
  };

  return {
    async connect(instance) {
      sessions.get(instance.id)?.stop();
      const session = new BaileysSession(instance, store, chats);
      sessions.set(instance.id, session);
      await session.start();
    },

    async disconnect(instanceId) {
      const session = sessions.get(instanceId);
      if (!session) return;
      session.stop();
      sessions.delete(instanceId);
      const settled = session.settled().finally(() => draining.get(instanceId) === settled && draining.delete(instanceId));
      draining.set(instanceId, settled);
    },

    async logout(instanceId) {
      const session = sessions.get(instanceId);
      if (session?.connected) await session.socket.logout().catch(() => undefined);
      session?.stop();
      sessions.delete(instanceId);
      await draining.get(instanceId);
      if (session) await session.forgetAuth();
      else await Promise.all([store.clear(instanceId), chats.clear(instanceId)]);
    },

    send(instanceId, message: OutboundMessage) {
      const jid = toJid(message.to);
      const quoted = message.replyTo ? ({ key: { remoteJid: jid, id: message.replyTo, fromMe: false }, message: { conversation: '' } } as WAMessage) : undefined;
      return sendContent(instanceId, jid, () => toBaileysContent(message.content, jid), { messageId: stanzaIdFor(message.id), ...(quoted ? { quoted } : {}) });
    },

    edit(instanceId, ref: MessageRef, text: string) {
      const jid = toJid(ref.chatId);
      return sendContent(instanceId, jid, () => ({ text, edit: { remoteJid: jid, fromMe: true, id: ref.messageId } }));
    },

    delete(instanceId, ref: MessageRef) {
      const jid = toJid(ref.chatId);
      return sendContent(instanceId, jid, () => ({ delete: { remoteJid: jid, fromMe: true, id: ref.messageId } }));
    },

    async typing(instanceId, chatId, state) {
      await live(instanceId).sendPresenceUpdate(state, toJid(chatId));
    },

    async markRead(instanceId, refs) {
      const sock = live(instanceId);
      await sock.readMessages(refs.map((r) => ({ remoteJid: toJid(r.chatId), id: r.messageId, fromMe: false })));
    },

    async updateProfile(instanceId, profile: ProfileUpdate) {
      const session = sessions.get(instanceId);
      const sock = live(instanceId);
      const own = session?.accountJid;
      if (profile.picture === undefined && profile.status === undefined && profile.name === undefined) {
        throw new OmniError('VALIDATION_ERROR', 'WhatsApp profiles take name, status and picture');
      }
      try {
        if (profile.status !== undefined) await sock.updateProfileStatus(profile.status);
        if (profile.picture !== undefined && own) await sock.updateProfilePicture(own, pictureSource(profile.picture));
        if (profile.name !== undefined) await sock.updateProfileName(profile.name);
      } catch (err) {
        if (err instanceof OmniError) throw err;
        throw new OmniError('PLATFORM_ERROR', `WhatsApp refused the profile update: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
    },

    async validateRecipient(instanceId, recipient) {
      let jid: string;
      try {
        jid = toJid(recipient);
      } catch {
        return { valid: false, exists: false, normalized: recipient };
      }
      if (isJidGroup(jid) || jid.endsWith('@lid')) return { valid: true, exists: true, normalized: jid };
      const digits = digitsOf(jid.split('@')[0]!);
      const found = await live(instanceId).onWhatsApp(digits);
      const hit = found?.find((r) => r.exists);
      return { valid: true, exists: Boolean(hit), normalized: `+${digits}` };
    },

    async fetchProfile(instanceId, platformUserId) {
      const sock = live(instanceId);
      const jid = toJid(platformUserId);
      const [status, avatarUrl] = await Promise.all([
        sock.fetchStatus(jid).then((r) => (r?.[0]?.status as { status?: string | null } | undefined)?.status ?? undefined).catch(() => undefined),
        sock.profilePictureUrl(jid, 'image').catch(() => undefined),
      ]);
      return { platformUserId: jid, ...(status ? { about: status } : {}), ...(avatarUrl ? { avatarUrl } : {}) };
    },

    async sync(instanceId, request, progress) {
      const session = sessions.get(instanceId);
      if (!session?.connected) throw new OmniError('SERVICE_UNAVAILABLE', `WhatsApp instance ${instanceId} is not connected; history comes from the linked phone`);
      return syncWhatsAppHistory(session, await chats.list(instanceId), request, progress);
    },

    discoverSessions: () => store.list((id) => sessions.get(id)?.connected ?? false),
  };
}
