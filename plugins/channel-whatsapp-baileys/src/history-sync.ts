import { isJidBroadcast, isJidGroup, isJidStatusBroadcast, jidNormalizedUser, toNumber, type WAMessage } from 'baileys';
import { OmniError, type Logger, type SyncProgress, type SyncReport, type SyncRequest } from '@omni/plugin-sdk';
import type { HistoryAnchor, KnownChat } from './chat-index.js';
import { toJid } from './jid.js';

/** Messages per on-demand history request; a larger maxMessagesPerChat is fetched in pages of this size. */
export const HISTORY_PAGE = 50;
export const DEFAULT_MAX_MESSAGES_PER_CHAT = 500;

/** What the sync needs from a connected session. */
export interface HistoryPeer {
  /** Asks the phone for up to `count` messages of `chatJid` older than `anchor`; resolves with them. */
  fetchOlder(chatJid: string, anchor: HistoryAnchor, count: number): Promise<WAMessage[]>;
  /** Stores messages as history (never routed to an agent); per stored message, its sender and whether it was already there. */
  importHistory(messages: WAMessage[], processMedia: boolean): Promise<Array<{ senderId: string; duplicate: boolean }>>;
  readonly logger: Pick<Logger, 'warn'>;
}

/** A requested chat as a JID: phone numbers in any notation, or any JID (broadcast lists included). */
function chatJidOf(chatId: string): string {
  const value = chatId.trim();
  if (value.includes('@') && isJidBroadcast(value)) return value;
  return jidNormalizedUser(toJid(value));
}

/**
 * The chats a sync covers: the requested ones (`chatIds`, phone numbers or JIDs) else every known
 * chat; groups unless `includeGroups: false`; broadcast lists only with `includeBroadcasts: true`.
 * Status updates and newsletters never.
 */
export function selectChats(chats: KnownChat[], options: NonNullable<SyncRequest['whatsapp']> = {}): KnownChat[] {
  const wanted = options.chatIds ? new Set(options.chatIds.map(chatJidOf)) : undefined;
  return chats.filter((chat) => {
    if (wanted && !wanted.has(chat.id) && !(chat.alt && wanted.has(chat.alt))) return false;
    if (isJidStatusBroadcast(chat.id) || chat.id.endsWith('@newsletter')) return false;
    if (isJidGroup(chat.id)) return options.includeGroups ?? true;
    if (isJidBroadcast(chat.id)) return options.includeBroadcasts ?? false;
    return true;
  });
}

const secondsOf = (iso: string | undefined) => (iso ? Date.parse(iso) / 1000 : undefined);

/**
 * Up to `max` messages of one chat within [since, until], newest first: asks the phone page by page,
 * each page anchored at the oldest message of the one before, until enough, `since` is passed or the
 * phone has nothing older.
 */
async function readChat(peer: HistoryPeer, chat: KnownChat, anchor: HistoryAnchor, max: number, since?: number, until?: number): Promise<WAMessage[]> {
  const out: WAMessage[] = [];
  let from = anchor;
  while (out.length < max) {
    const count = Math.min(HISTORY_PAGE, max - out.length);
    const page = (await peer.fetchOlder(chat.id, from, count))
      .filter((m) => m.key.id && m.messageTimestamp && [chat.id, chat.alt].includes(jidNormalizedUser(m.key.remoteJid ?? '')))
      .sort((a, b) => toNumber(b.messageTimestamp!) - toNumber(a.messageTimestamp!));
    let passedSince = false;
    for (const message of page) {
      const at = toNumber(message.messageTimestamp!);
      if (since !== undefined && at < since) {
        passedSince = true;
        break;
      }
      if ((until === undefined || at <= until) && out.length < max) out.push(message);
    }
    const oldest = page.at(-1);
    if (passedSince || !oldest || page.length < count) break;
    from = { id: oldest.key.id!, fromMe: Boolean(oldest.key.fromMe), timestamp: toNumber(oldest.messageTimestamp!) };
  }
  return out;
}

/**
 * `POST /instances/:id/sync` for WhatsApp: for each selected chat, asks the phone for the messages
 * before the oldest one Omni has (WhatsApp's on-demand history sync), keeps those in [since, until]
 * up to `maxMessagesPerChat`, and stores them as history. Re-running it stores nothing twice:
 * `messagesCount` counts newly stored messages.
 */
export async function syncWhatsAppHistory(peer: HistoryPeer, known: KnownChat[], request: SyncRequest, progress: (p: SyncProgress) => void): Promise<SyncReport> {
  const options = request.whatsapp ?? {};
  const since = secondsOf(request.since);
  const until = secondsOf(request.until);
  if (since !== undefined && until !== undefined && since > until) throw new OmniError('VALIDATION_ERROR', 'since must not be after until');
  const chats = selectChats(known, options);
  progress({ stage: 'chats', current: chats.length, total: chats.length });
  const report: SyncReport = { contactsCount: 0, chatsCount: request.syncChats ? chats.length : 0, messagesCount: 0 };
  if (!request.syncMessages) return report;
  const max = options.maxMessagesPerChat ?? DEFAULT_MAX_MESSAGES_PER_CHAT;
  const senders = new Set<string>();
  const failed: string[] = [];
  for (const [i, chat] of chats.entries()) {
    progress({ stage: 'messages', current: i, total: chats.length });
    if (!chat.anchor) continue;
    let messages: WAMessage[];
    try {
      messages = await readChat(peer, chat, chat.anchor, max, since, until);
    } catch (err) {
      if (err instanceof OmniError && err.code === 'SERVICE_UNAVAILABLE') throw err;
      const reason = err instanceof Error ? err.message : String(err);
      failed.push(reason);
      peer.logger.warn({ chatId: chat.id, err: reason }, 'WhatsApp history of a chat could not be fetched');
      continue;
    }
    // Stored oldest first, as they happened.
    for (const stored of await peer.importHistory(messages.reverse(), request.processMedia === true)) {
      senders.add(stored.senderId);
      if (!stored.duplicate) report.messagesCount++;
    }
  }
  progress({ stage: 'messages', current: chats.length, total: chats.length });
  if (request.syncContacts) report.contactsCount = senders.size;
  if (failed.length > 0 && failed.length === chats.length) {
    throw new OmniError('PLATFORM_ERROR', `the phone answered no history request (${failed.length} chats; is it online?): ${failed[0]}`);
  }
  return report;
}
