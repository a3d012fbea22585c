import { deflateSync } from 'node:zlib';
import { proto } from 'baileys';

/** One message of a chat's history as the fake phone keeps it. */
export interface FakeHistoryMessage {
  id: string;
  /** Unix seconds. */
  timestamp: number;
  message: proto.IMessage;
  /** Group (or broadcast) sender. */
  participant?: string;
  fromMe?: boolean;
  pushName?: string;
}

/** A conversation of a pushed history sync. */
export interface FakeConversation {
  id: string;
  name?: string;
  messages: FakeHistoryMessage[];
}

/** A `historySyncOnDemandRequest` the client sent (baileys' `fetchMessageHistory`), and what the fake answered. */
export interface HistoryRequest {
  phone: string;
  chatJid: string;
  count: number;
  oldestMsgId?: string;
  oldestMsgTimestampMs?: number;
  /** The ids the fake sent back, oldest first. */
  answered: string[];
}

export type FakeHistorySyncType = 'INITIAL_BOOTSTRAP' | 'RECENT' | 'FULL' | 'ON_DEMAND';

export const toWebMessageInfo = (chatJid: string, m: FakeHistoryMessage): proto.IWebMessageInfo => ({
  key: { remoteJid: chatJid, id: m.id, fromMe: Boolean(m.fromMe), ...(m.participant ? { participant: m.participant } : {}) },
  message: m.message,
  messageTimestamp: m.timestamp,
  ...(m.pushName ? { pushName: m.pushName } : {}),
});

/**
 * The protocol message a phone sends its linked devices for a history sync: a HistorySync proto,
 * zlib-deflated, inline in `initialHistBootstrapInlinePayload` (baileys inflates and decodes it).
 */
export function historySyncNotification(syncType: FakeHistorySyncType, conversations: FakeConversation[], requestId?: string): proto.IMessage {
  const type = proto.HistorySync.HistorySyncType[syncType];
  const payload = proto.HistorySync.encode({
    syncType: type,
    progress: 100,
    conversations: conversations.map((c) => ({
      id: c.id,
      ...(c.name ? { name: c.name } : {}),
      messages: c.messages.map((m) => ({ message: toWebMessageInfo(c.id, m) })),
    })),
  }).finish();
  return {
    protocolMessage: {
      type: proto.Message.ProtocolMessage.Type.HISTORY_SYNC_NOTIFICATION,
      historySyncNotification: {
        syncType: type as number as proto.Message.HistorySyncType,
        chunkOrder: 0,
        progress: 100,
        initialHistBootstrapInlinePayload: deflateSync(payload),
        ...(requestId ? { peerDataRequestSessionId: requestId } : {}),
      },
    },
  };
}

/**
 * What a phone answers to an on-demand request: the `count` newest messages older than the anchor
 * (the anchor id when the chat has it, else its timestamp), oldest first.
 */
export function olderThanAnchor(history: FakeHistoryMessage[], request: { count: number; oldestMsgId?: string; oldestMsgTimestampMs?: number }): FakeHistoryMessage[] {
  const sorted = [...history].sort((a, b) => a.timestamp - b.timestamp);
  const anchorIndex = request.oldestMsgId ? sorted.findIndex((m) => m.id === request.oldestMsgId) : -1;
  const older =
    anchorIndex >= 0
      ? sorted.slice(0, anchorIndex)
      : request.oldestMsgTimestampMs !== undefined
        ? sorted.filter((m) => m.timestamp * 1000 < request.oldestMsgTimestampMs!)
        : sorted;
  return request.count > 0 ? older.slice(-request.count) : [];
}
