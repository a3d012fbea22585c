import makeWASocket, {
  Browsers,
  DisconnectReason,
  downloadAndProcessHistorySyncNotification,
  downloadMediaMessage,
  getHistoryMsg,
  makeCacheableSignalKeyStore,
  normalizeMessageContent,
  proto,
  type ConnectionState,
  type WAMessage,
  type WAMessageUpdate,
  type WASocket,
} from 'baileys';
import { OmniError, type ChannelInstance, type IngressResult } from '@omni/plugin-sdk';
import { baileysLogger } from './baileys-logger.js';
import type { ChatIndex, HistoryAnchor } from './chat-index.js';
import type { HistoryPeer } from './history-sync.js';
import { platformMediaRef, toInboundMessage, type MediaFetcher, type MediaMessageType } from './inbound-message.js';
import type { BaileysInstanceConfig } from './instance-config.js';
import { digitsOf, phoneFromJid } from './jid.js';
import { closeAction, reconnectStep } from './reconnect-policy.js';
import type { SessionStore } from './session-store.js';

const statusCodeOf = (error: unknown): number | undefined => (error as { output?: { statusCode?: number } } | undefined)?.output?.statusCode;
const iso = (ms: number) => new Date(ms).toISOString();
const ON_DEMAND = proto.HistorySync.HistorySyncType.ON_DEMAND;
/** How long the phone may take to answer one on-demand history request. */
const HISTORY_REQUEST_TIMEOUT_MS = 30_000;

interface HistoryWaiter {
  chatJid: string;
  requestId?: string;
  resolve: (messages: WAMessage[]) => void;
  reject: (err: Error) => void;
}

const DELIVERY: Partial<Record<number, 'delivered' | 'read' | 'failed'>> = {
  [proto.WebMessageInfo.Status.ERROR]: 'failed',
  [proto.WebMessageInfo.Status.DELIVERY_ACK]: 'delivered',
  [proto.WebMessageInfo.Status.READ]: 'read',
  [proto.WebMessageInfo.Status.PLAYED]: 'read',
};

/**
 * One instance's WhatsApp Web connection and its reconnect policy. Each socket gets a generation
 * number; events from an older socket are ignored, so a replaced socket can never act twice.
 */
export class BaileysSession implements HistoryPeer {
  private sock?: WASocket;
  /** On-demand history requests waiting for the phone's answer. */
  private readonly historyWaiters: HistoryWaiter[] = [];
  private generation = 0;
  private stopped = false;
  private open = false;
  private attempt = 0;
  private timer?: NodeJS.Timeout;
  private pairing = false;
  private pairingCodeRequested = false;
  /** Loaded once per session and reused by every socket, so a reconnect never reads a half-written store. */
  private auth?: Awaited<ReturnType<SessionStore['authState']>>;
  /** Credential writes, one after the other. */
  private saving: Promise<void> = Promise.resolve();
  private readonly log;

  constructor(
    readonly instance: ChannelInstance<BaileysInstanceConfig>,
    private readonly store: SessionStore,
    private readonly chats: ChatIndex,
  ) {
    this.log = baileysLogger(instance.logger);
  }

  get logger() {
    return this.instance.logger;
  }

  get connected(): boolean {
    return this.open && !this.stopped;
  }

  /** The live socket; a 503 while the instance is not connected. */
  get socket(): WASocket {
    if (!this.sock || !this.connected) throw new OmniError('SERVICE_UNAVAILABLE', `WhatsApp instance ${this.instance.id} is not connected`);
    return this.sock;
  }

  /** The connected account's phone JID (without device), e.g. `4915...@s.whatsapp.net`. */
  get accountJid(): string | undefined {
    const id = this.sock?.user?.id;
    return id ? `${id.split(':')[0]!.split('@')[0]}@s.whatsapp.net` : undefined;
  }

  async start(): Promise<void> {
    await this.openSocket();
  }

  /** A deliberate stop: no reconnect, no further status reports. */
  stop(): void {
    this.stopped = true;
    this.open = false;
    clearTimeout(this.timer);
    this.endSocket();
  }

  private endSocket(): void {
    const sock = this.sock;
    this.sock = undefined;
    this.generation++;
    for (const waiter of this.historyWaiters.splice(0)) waiter.reject(new OmniError('SERVICE_UNAVAILABLE', `WhatsApp instance ${this.instance.id} disconnected during a history sync`));
    if (!sock) return;
    try {
      sock.end(undefined);
    } catch (err) {
      this.instance.logger.debug({ err }, 'closing the WhatsApp socket failed');
    }
    sock.ev.removeAllListeners('creds.update');
    sock.ev.removeAllListeners('connection.update');
    sock.ev.removeAllListeners('messages.upsert');
    sock.ev.removeAllListeners('messages.update');
    sock.ev.removeAllListeners('messaging-history.set');
  }

  private async openSocket(): Promise<void> {
    if (this.stopped) return;
    this.endSocket();
    const generation = this.generation;
    const config = this.instance.config;
    this.auth ??= await this.store.authState(this.instance.id);
    const { state, saveCreds } = this.auth;
    if (this.stopped || generation !== this.generation) return;
    this.pairing = false;
    this.pairingCodeRequested = false;
    const sock = makeWASocket({
      auth: { creds: state.creds, keys: makeCacheableSignalKeyStore(state.keys, this.log) },
      logger: this.log,
      browser: Browsers.ubuntu('Omni'),
      ...(config.websocketUrl ? { waWebSocketUrl: config.websocketUrl } : {}),
      qrTimeout: config.qrTimeoutMs,
      markOnlineOnConnect: config.markOnline,
      syncFullHistory: config.syncHistory,
      // Pushed history only when configured. ON_DEMAND history answers our own sync requests and is
      // read from the notification itself (onDemandHistory): baileys' event buffer would drop every
      // message it already saw once, so a second sync could never page past them.
      shouldSyncHistoryMessage: (notification) => config.syncHistory && notification.syncType !== ON_DEMAND,
      // Baileys asks for a message it must re-send; Omni keeps no plaintext copy for that.
      getMessage: async () => undefined,
    });
    this.sock = sock;
    const current = () => generation === this.generation && !this.stopped;

    sock.ev.on('creds.update', () => {
      this.saving = this.saving.then(saveCreds).catch((err: unknown) => this.instance.logger.error({ err }, 'could not store WhatsApp credentials'));
    });
    sock.ev.on('connection.update', (update) => {
      if (current()) this.onConnectionUpdate(sock, update);
    });
    sock.ev.on('messages.upsert', ({ messages, type }) => {
      if (!current()) return;
      for (const message of messages) if (message.key.fromMe && getHistoryMsg(message.message ?? {})?.syncType === ON_DEMAND) void this.onDemandHistory(message);
      void this.remember([], messages);
      void this.ingest(sock, messages, type === 'notify' ? 'realtime' : 'history');
    });
    sock.ev.on('messages.update', (updates) => {
      if (current()) void this.reportDeliveries(updates);
    });
    sock.ev.on('messaging-history.set', (set) => {
      if (!current() || !config.syncHistory) return;
      void this.remember(set.chats, set.messages);
      void this.ingest(sock, set.messages, 'history');
    });
  }

  private onConnectionUpdate(sock: WASocket, update: Partial<ConnectionState>): void {
    if (update.qr) this.onQr(sock, update.qr);
    if (update.connection === 'open') {
      this.open = true;
      this.attempt = 0;
      this.pairing = false;
      const user = sock.user;
      const phone = phoneFromJid(user?.id);
      this.instance.setStatus({ state: 'connected', account: { id: phone ?? user?.id ?? 'unknown', ...(user?.name ? { name: user.name } : {}) } });
      if (phone) {
        this.store
          .recordInfo(this.instance.id, { phone, ...(user?.name ? { name: user.name } : {}), lastSeen: new Date().toISOString() })
          .catch((err: unknown) => this.instance.logger.warn({ err }, 'could not record WhatsApp session info'));
      }
    }
    if (update.connection === 'close') {
      this.open = false;
      this.onClose(update.lastDisconnect?.error).catch((err: unknown) => {
        this.instance.logger.error({ err }, 'handling a closed WhatsApp connection failed');
        this.instance.setStatus({ state: 'error', error: { code: 'CONNECTION_LOST', message: err instanceof Error ? err.message : String(err), retryable: true } });
      });
    }
  }

  private onQr(sock: WASocket, qr: string): void {
    const config = this.instance.config;
    this.pairing = true;
    const expiresAt = iso(Date.now() + config.qrTimeoutMs);
    if (!config.usePairingCode || !config.phoneNumber) {
      this.instance.setStatus({ state: 'awaiting_qr', qr: { code: qr, expiresAt } });
      return;
    }
    if (this.pairingCodeRequested) return;
    this.pairingCodeRequested = true;
    sock
      .requestPairingCode(digitsOf(config.phoneNumber))
      .then((code) => this.instance.setStatus({ state: 'awaiting_qr', pairingCode: { code, expiresAt } }))
      .catch((err: unknown) =>
        this.instance.setStatus({
          state: 'error',
          error: { code: 'PAIRING_CODE_FAILED', message: `WhatsApp refused a pairing code: ${err instanceof Error ? err.message : String(err)}`, retryable: true },
        }),
      );
  }

  private async onClose(error: Error | undefined): Promise<void> {
    if (this.stopped) return;
    const code = statusCodeOf(error);
    const reason = error?.message ?? 'connection closed';
    if (this.pairing && code === DisconnectReason.timedOut) {
      this.pairing = false;
      this.endSocket();
      this.instance.setStatus({
        state: 'error',
        error: { code: 'QR_TIMEOUT', message: 'no device was linked before the last QR code expired; connect again for new codes', retryable: true },
      });
      return;
    }
    switch (closeAction(code)) {
      case 'logged_out':
        this.endSocket();
        await this.forgetAuth();
        this.instance.setStatus({
          state: 'logged_out',
          error: { code: 'LOGGED_OUT', message: `WhatsApp ended this device's session (${code}); connect again and link it with a new QR code`, retryable: false },
        });
        return;
      case 'replaced':
        this.endSocket();
        this.instance.setStatus({
          state: 'replaced',
          error: { code: 'REPLACED', message: 'another WhatsApp Web client opened this session (440); connect again to take it back', retryable: false },
        });
        return;
      case 'restart':
        this.instance.setStatus({ state: 'connecting' });
        await this.openSocket();
        return;
      case 'backoff':
        this.scheduleReconnect(code, reason);
    }
  }

  /** Resolves when every credential write so far is stored. */
  settled(): Promise<void> {
    return this.saving;
  }

  /** Deletes the stored session (and the chats it knew) once pending credential writes are done, so none can bring it back. */
  async forgetAuth(): Promise<void> {
    await this.saving;
    this.auth = undefined;
    await this.store.clear(this.instance.id);
    await this.chats.clear(this.instance.id);
  }

  /** Notes the chats and each chat's oldest message, for later history syncs. */
  private async remember(chats: Array<{ id?: string | null; name?: string | null }>, messages: WAMessage[]): Promise<void> {
    await this.chats.record(this.instance.id, chats, messages).catch((err: unknown) => this.instance.logger.warn({ err }, 'could not record WhatsApp chats'));
  }

  /** Asks the phone for up to `count` messages of `chatJid` older than `anchor` (an on-demand history sync). */
  fetchOlder(chatJid: string, anchor: HistoryAnchor, count: number): Promise<WAMessage[]> {
    const sock = this.socket;
    return new Promise<WAMessage[]>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        const i = this.historyWaiters.indexOf(waiter);
        if (i >= 0) this.historyWaiters.splice(i, 1);
      };
      const waiter: HistoryWaiter = {
        chatJid,
        resolve: (messages) => (done(), resolve(messages)),
        reject: (err) => (done(), reject(err)),
      };
      const timer = setTimeout(() => waiter.reject(new Error(`the phone did not answer a history request within ${HISTORY_REQUEST_TIMEOUT_MS / 1000} s`)), HISTORY_REQUEST_TIMEOUT_MS);
      this.historyWaiters.push(waiter);
      sock
        .fetchMessageHistory(count, { remoteJid: chatJid, id: anchor.id, fromMe: anchor.fromMe }, anchor.timestamp * 1000)
        .then((requestId) => {
          waiter.requestId = requestId;
        })
        .catch((err: unknown) => waiter.reject(err instanceof Error ? err : new Error(String(err))));
    });
  }

  /**
   * Reads an ON_DEMAND history sync our own phone sent (inline or as a media blob, with baileys' own
   * decoder) and hands it to the request it answers: by request id, else by chat, else the only one waiting.
   */
  private async onDemandHistory(message: WAMessage): Promise<void> {
    const notification = getHistoryMsg(message.message ?? {});
    if (!notification) return;
    let history: Awaited<ReturnType<typeof downloadAndProcessHistorySyncNotification>>;
    try {
      history = await downloadAndProcessHistorySyncNotification(notification, {}, this.log);
    } catch (err) {
      this.instance.logger.warn({ err }, 'could not read an on-demand WhatsApp history sync');
      const waiter = this.historyWaiters.find((w) => w.requestId === notification.peerDataRequestSessionId);
      waiter?.reject(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    const chatIds = new Set([...history.chats.map((c) => c.id), ...history.messages.map((m) => m.key.remoteJid ?? '')]);
    const waiter =
      this.historyWaiters.find((w) => notification.peerDataRequestSessionId && w.requestId === notification.peerDataRequestSessionId) ??
      this.historyWaiters.find((w) => chatIds.has(w.chatJid)) ??
      (this.historyWaiters.length === 1 ? this.historyWaiters[0] : undefined);
    if (waiter) waiter.resolve(history.messages);
    else this.instance.logger.debug({ requestId: notification.peerDataRequestSessionId }, 'an on-demand WhatsApp history sync nobody waited for was dropped');
  }

  /** Stores history messages (media downloaded only with `processMedia`); never routed to an agent. */
  async importHistory(messages: WAMessage[], processMedia: boolean): Promise<Array<{ senderId: string; duplicate: boolean }>> {
    const sock = this.socket;
    const fetchMedia: MediaFetcher = processMedia ? (m, type) => this.downloadMedia(sock, m, type) : async (m, type) => platformMediaRef(m, type);
    const out: Array<{ senderId: string; duplicate: boolean }> = [];
    for (const message of messages) {
      const stored = await this.storeInbound(message, 'history', fetchMedia);
      if (stored) out.push({ senderId: stored.senderId, duplicate: stored.result.duplicate });
    }
    return out;
  }

  /** Normalizes and stores one message; undefined when it carries nothing to store (or is our own). */
  private async storeInbound(message: WAMessage, mode: 'realtime' | 'history', fetchMedia: MediaFetcher): Promise<{ senderId: string; result: IngressResult } | undefined> {
    if (message.key.fromMe) return undefined;
    const input = await toInboundMessage(message, fetchMedia, mode);
    return input ? { senderId: input.sender.id, result: await this.instance.receive(input) } : undefined;
  }

  private scheduleReconnect(code: number | undefined, reason: string): void {
    const { reconnect } = this.instance.config;
    this.endSocket();
    this.attempt += 1;
    const step = reconnectStep(this.attempt, reconnect, { code: 'CONNECTION_LOST', message: `${reason} (${code ?? 'no status code'})` });
    this.instance.setStatus(step.status);
    if (step.giveUp) return;
    this.timer = setTimeout(() => {
      this.openSocket().catch((err: unknown) => this.scheduleReconnect(undefined, err instanceof Error ? err.message : String(err)));
    }, step.delayMs);
  }

  /** Stores each message durably, in order; history is stored and never routed to the agent. */
  private async ingest(sock: WASocket, messages: WAMessage[], mode: 'realtime' | 'history'): Promise<void> {
    for (const message of messages) {
      try {
        await this.storeInbound(message, mode, (m, type) => this.downloadMedia(sock, m, type));
      } catch (err) {
        this.instance.logger.error({ err, messageId: message.key.id }, 'could not store an inbound WhatsApp message');
      }
    }
  }

  private async downloadMedia(sock: WASocket, message: WAMessage, type: MediaMessageType) {
    const info = (normalizeMessageContent(message.message)?.[type] ?? {}) as { mimetype?: string | null; fileName?: string | null };
    const data = await downloadMediaMessage(message, 'buffer', {}, { logger: this.log, reuploadRequest: sock.updateMediaMessage });
    return this.instance.storeMedia({ data, ...(info.mimetype ? { mimeType: info.mimetype } : {}), ...(info.fileName ? { filename: info.fileName } : {}) });
  }

  private async reportDeliveries(updates: WAMessageUpdate[]): Promise<void> {
    for (const { key, update } of updates) {
      const status = update.status === undefined || update.status === null ? undefined : DELIVERY[update.status];
      if (!key.fromMe || !key.id || !status) continue;
      await this.instance.reportDelivery({ externalId: key.id, status }).catch((err: unknown) => this.instance.logger.warn({ err }, 'could not report a WhatsApp delivery status'));
    }
  }
}
