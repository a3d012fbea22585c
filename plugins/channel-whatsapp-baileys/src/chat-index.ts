import { isJidNewsletter, isJidStatusBroadcast, jidNormalizedUser, normalizeMessageContent, toNumber, type WAMessage } from 'baileys';
import type { KeyValueStore } from '@omni/plugin-sdk';

/** The oldest message Omni knows of a chat: where an on-demand history request starts. */
export interface HistoryAnchor {
  id: string;
  fromMe: boolean;
  /** Unix seconds. */
  timestamp: number;
}

/** A chat the linked device has seen, by realtime traffic or by a history sync the phone pushed. */
export interface KnownChat {
  /** The chat's JID as WhatsApp addresses it (a phone or LID JID, a group, a broadcast list). */
  id: string;
  /** The other form of a DM's JID (the phone JID of a LID chat, or the reverse), when known. */
  alt?: string;
  name?: string;
  anchor?: HistoryAnchor;
}

const prefix = (instanceId: string) => `chats/${instanceId}/`;

/**
 * The chats each instance has seen and the oldest message of each, so `POST /instances/:id/sync`
 * knows which chats exist and where to ask the phone for older messages. Kept in the plugin's
 * encrypted store (chat JIDs are phone numbers); message contents are never kept here.
 */
export class ChatIndex {
  private readonly cache = new Map<string, Map<string, KnownChat>>();

  constructor(private readonly store: KeyValueStore) {}

  private async chats(instanceId: string): Promise<Map<string, KnownChat>> {
    let chats = this.cache.get(instanceId);
    if (!chats) {
      const entries = await this.store.list<KnownChat>(prefix(instanceId));
      chats = this.cache.get(instanceId) ?? new Map(entries.map((e) => [e.value.id, e.value]));
      this.cache.set(instanceId, chats);
    }
    return chats;
  }

  /** Notes chats (from a history sync) and messages; writes only what changed. */
  async record(instanceId: string, chats: Array<{ id?: string | null; name?: string | null }>, messages: WAMessage[]): Promise<void> {
    const known = await this.chats(instanceId);
    const changed = new Map<string, KnownChat>();
    const upsert = (id: string, update: (chat: KnownChat) => KnownChat | undefined) => {
      if (!id || isJidStatusBroadcast(id) || isJidNewsletter(id)) return;
      const current = changed.get(id) ?? known.get(id) ?? { id };
      const next = update(current);
      if (next) changed.set(id, next);
      else if (!known.has(id)) changed.set(id, current);
    };
    for (const chat of chats) {
      if (!chat.id) continue;
      const id = jidNormalizedUser(chat.id);
      upsert(id, (c) => (chat.name && chat.name !== c.name ? { ...c, name: chat.name } : undefined));
    }
    for (const message of messages) {
      const key = message.key as WAMessage['key'] & { remoteJidAlt?: string };
      if (!key.remoteJid || !key.id || !message.messageTimestamp) continue;
      // Protocol messages (edits, revokes, history notifications) are about other messages; never anchor on them.
      if (normalizeMessageContent(message.message)?.protocolMessage) continue;
      const timestamp = toNumber(message.messageTimestamp);
      const alt = key.remoteJidAlt ? jidNormalizedUser(key.remoteJidAlt) : undefined;
      upsert(jidNormalizedUser(key.remoteJid), (c) => {
        const older = !c.anchor || timestamp < c.anchor.timestamp;
        const newAlt = alt && alt !== c.alt;
        if (!older && !newAlt) return undefined;
        return { ...c, ...(newAlt ? { alt } : {}), ...(older ? { anchor: { id: key.id!, fromMe: Boolean(key.fromMe), timestamp } } : {}) };
      });
    }
    // Into the cache at once, so a concurrent call builds on these changes; then into the store.
    for (const [id, chat] of changed) known.set(id, chat);
    await Promise.all([...changed].map(([id, chat]) => this.store.set(`${prefix(instanceId)}${id}`, chat)));
  }

  async list(instanceId: string): Promise<KnownChat[]> {
    return [...(await this.chats(instanceId)).values()];
  }

  async clear(instanceId: string): Promise<void> {
    this.cache.delete(instanceId);
    await this.store.deletePrefix(prefix(instanceId));
  }
}
