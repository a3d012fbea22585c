import makeWASocket, {
  Browsers,
  DisconnectReason,
  downloadMediaMessage,
  makeCacheableSignalKeyStore,
  normalizeMessageContent,
  proto,
  type ConnectionState,
  type WAMessage,
  type WAMessageUpdate,
  type WASocket,
} from 'baileys';
import { OmniError, type ChannelInstance } from '@omni/plugin-sdk';
import { baileysLogger } from './baileys-logger.js';
import { toInboundMessage, type MediaMessageType } from './inbound-message.js';
import type { BaileysInstanceConfig } from './instance-config.js';
import { digitsOf, phoneFromJid } from './jid.js';
import { backoffDelay, closeAction } from './reconnect-policy.js';
import type { SessionStore } from './session-store.js';

const statusCodeOf = (error: unknown): number | undefined => (error as { output?: { statusCode?: number } } | undefined)?.output?.statusCode;
const iso = (ms: number) => new Date(ms).toISOString();

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
export class BaileysSession {
  private sock?: WASocket;
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
  ) {
    this.log = baileysLogger(instance.logger);
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
      shouldSyncHistoryMessage: () => config.syncHistory,
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
      if (current()) void this.ingest(sock, messages, type === 'notify' ? 'realtime' : 'history');
    });
    sock.ev.on('messages.update', (updates) => {
      if (current()) void this.reportDeliveries(updates);
    });
    if (config.syncHistory) {
      sock.ev.on('messaging-history.set', ({ messages }) => {
        if (current()) void this.ingest(sock, messages, 'history');
      });
    }
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

  /** Deletes the stored session once pending credential writes are done, so none can bring it back. */
  async forgetAuth(): Promise<void> {
    await this.saving;
    this.auth = undefined;
    await this.store.clear(this.instance.id);
  }

  private scheduleReconnect(code: number | undefined, reason: string): void {
    const { reconnect } = this.instance.config;
    this.endSocket();
    this.attempt += 1;
    const error = { code: 'CONNECTION_LOST', message: `${reason} (${code ?? 'no status code'})`, retryable: true };
    if (reconnect.maxAttempts > 0 && this.attempt > reconnect.maxAttempts) {
      this.instance.setStatus({ state: 'error', error: { ...error, message: `gave up after ${reconnect.maxAttempts} reconnect attempts; last: ${error.message}` } });
      return;
    }
    const delay = backoffDelay(this.attempt, reconnect);
    this.instance.setStatus({ state: 'reconnecting', reconnect: { attempt: this.attempt, nextAttemptAt: iso(Date.now() + delay) }, error });
    this.timer = setTimeout(() => {
      this.openSocket().catch((err: unknown) => this.scheduleReconnect(undefined, err instanceof Error ? err.message : String(err)));
    }, delay);
  }

  /** Stores each message durably, in order; history is stored and never routed to the agent. */
  private async ingest(sock: WASocket, messages: WAMessage[], mode: 'realtime' | 'history'): Promise<void> {
    for (const message of messages) {
      if (message.key.fromMe) continue;
      try {
        const input = await toInboundMessage(message, (m, type) => this.downloadMedia(sock, m, type), mode);
        if (input) await this.instance.receive(input);
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
