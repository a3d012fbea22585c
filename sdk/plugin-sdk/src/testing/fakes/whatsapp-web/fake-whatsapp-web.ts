import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import {
  Curve,
  decodeBinaryNode,
  encodeBinaryNode,
  getBinaryNodeChild,
  getBinaryNodeChildren,
  jidNormalizedUser,
  NOISE_WA_HEADER,
  proto,
  type BinaryNode,
  type KeyPair,
} from 'baileys';
import { WebSocketServer, type WebSocket } from 'ws';
import { FakeMediaHost } from './media-host.js';
import { frame, NoiseServerState } from './noise-server.js';
import { buildNoiseCertChain, buildPairSuccess, parsePairingQr, type FakeAccount } from './pairing.js';
import { encryptInboundMedia, type InboundMediaKind } from './inbound-media.js';
import { FakePeers } from './fake-peers.js';
import { historySyncNotification, olderThanAnchor, type FakeConversation, type FakeHistoryMessage, type FakeHistorySyncType, type HistoryRequest } from './history-sync.js';

/** One client connection to the fake, after the Noise handshake. */
export interface FakeConnection {
  readonly id: number;
  /** `login` when the client came back with credentials, `registration` when it needs a QR. */
  readonly kind: 'login' | 'registration';
  /** The phone number the client logged in as (login connections only). */
  readonly phone?: string;
  /** The QR refs the fake offered (registration connections only). */
  readonly refs: string[];
  open: boolean;
  send(node: BinaryNode): void;
}

/** An outbound `<message>` stanza a client sent, with what the fake can observe of it. */
export interface ObservedStanza {
  id: string;
  /** The recipient JID. */
  to: string;
  /** WhatsApp's stanza type: text, media, reaction, poll, ... */
  type: string;
  /** `edit` attribute: 7 for a revoke (delete), 1 for an edit; absent otherwise. */
  edit?: string;
  /** The stanza's child tags (participants, device-identity, meta, ...). */
  children: string[];
  /** The message as the recipient decrypts it (the fake holds the recipients' Signal keys). */
  content?: proto.IMessage;
  /** `<enc mediatype>` when the client set one (image, ptt, vcard, sticker, ...). */
  mediaType?: string;
  /** Why the content could not be decrypted, when it could not. */
  decryptError?: string;
  attrs: Record<string, string>;
  /** The connection that sent it. */
  connectionId: number;
}

export interface PushOptions {
  /** Sender chat JID (DM: the user's JID; group: the group JID). */
  from?: string;
  /** Group sender. */
  participant?: string;
  /** Stanza id; random when absent. */
  id?: string;
  pushName?: string;
  /** Extra stanza attributes, e.g. `sender_pn` / `participant_pn` with `addressing_mode: 'lid'`. */
  attrs?: Record<string, string>;
  /** Which logged-in account receives it (phone digits); the latest login when absent. */
  toPhone?: string;
}

export interface FakeWhatsAppWebOptions {
  /** QR refs offered per registration; each becomes one QR code (WhatsApp offers 6). */
  qrRefs?: number;
}

let connectionCounter = 0;
const TEST_ROOT: KeyPair = Curve.generateKeyPair();
/** The fake's LID for a phone number: the digits with a 9 appended (stable, and never a real PN). */
export const lidOf = (phone: string) => `${phone}9@lid`;

/**
 * A loopback WhatsApp Web server for tests: the Noise handshake signed by a test root key,
 * QR registration, pair-success, the 515 restart, login, plaintext inbound messages, media
 * over HTTPS, usync and IQ answers, and the stream errors the real server sends.
 * Call `trustFakeWhatsAppWeb(fake)` in the test process before connecting a real baileys socket.
 */
export class FakeWhatsAppWeb {
  /** Every node clients sent after the handshake, decoded. */
  readonly received: Array<BinaryNode & { connectionId: number }> = [];
  /** Outbound `<message>` stanzas, in order. */
  readonly stanzas: ObservedStanza[] = [];
  readonly connections: FakeConnection[] = [];
  /** Frames the fake could not handle (the connection was dropped for each). */
  readonly errors: Error[] = [];
  readonly media = new FakeMediaHost();
  /** Phone numbers (digits) that `onWhatsApp` reports as not registered. */
  readonly unregistered = new Set<string>();
  /** Status text and picture per phone, for profile look-ups. */
  readonly profiles = new Map<string, { status?: string; pictureUrl?: string }>();
  /** The account's privacy settings, as the privacy IQ reports them. */
  readonly privacy: Record<string, string> = { readreceipts: 'all', last: 'all', online: 'all', profile: 'all', status: 'all', groupadd: 'all' };
  /** Accounts paired so far, by phone. */
  readonly accounts = new Map<string, FakeAccount>();
  /** What each phone (digits) keeps of its chats' history, by chat JID, for on-demand history requests. */
  readonly history = new Map<string, Map<string, FakeHistoryMessage[]>>();
  /** On-demand history requests (baileys' `fetchMessageHistory`) the fake answered, in order. */
  readonly historyRequests: HistoryRequest[] = [];
  /** The Noise root key, shared by every fake in this process (baileys pins one root globally). */
  readonly root: KeyPair = TEST_ROOT;
  private readonly serverStatic: KeyPair = Curve.generateKeyPair();
  private readonly certChain: Uint8Array;
  private readonly peers = new FakePeers((jid) => {
    const user = jidNormalizedUser(jid).split('@')[0]!;
    return jid.endsWith('@lid') && user.endsWith('9') ? user.slice(0, -1) : user;
  });
  private readonly waiters: Array<{ match: (s: ObservedStanza) => boolean; resolve: (s: ObservedStanza) => void }> = [];
  private wss?: WebSocketServer;
  private readonly qrRefs: number;

  constructor(options: FakeWhatsAppWebOptions = {}) {
    this.qrRefs = options.qrRefs ?? 6;
    this.certChain = buildNoiseCertChain(this.root, this.serverStatic);
  }

  static async start(options?: FakeWhatsAppWebOptions): Promise<FakeWhatsAppWeb> {
    const fake = new FakeWhatsAppWeb(options);
    await fake.listen();
    return fake;
  }

  /** The websocket URL to give baileys as `waWebSocketUrl`. */
  get url(): string {
    if (!this.wss) throw new Error('fake not started');
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}/ws/chat`;
  }

  /** Open connections that logged in. */
  get logins(): FakeConnection[] {
    return this.connections.filter((c) => c.kind === 'login');
  }

  get registrations(): FakeConnection[] {
    return this.connections.filter((c) => c.kind === 'registration');
  }

  private async listen(): Promise<void> {
    await this.media.start();
    this.wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => this.wss!.once('listening', () => resolve()));
    this.wss.on('connection', (ws) => this.accept(ws));
  }

  private accept(ws: WebSocket): void {
    const noise = new NoiseServerState();
    let buffer = Buffer.alloc(0);
    let introSeen = false;
    let stage: 'hello' | 'finish' | 'transport' = 'hello';
    let ephemeral: KeyPair | undefined;
    let connection: FakeConnection | undefined;
    const id = ++connectionCounter;
    const send = (node: BinaryNode) => {
      if (ws.readyState === ws.OPEN) ws.send(frame(noise.encrypt(encodeBinaryNode(node))));
    };

    const handleFrame = async (payload: Buffer) => {
      if (stage === 'hello') {
        const clientEphemeral = proto.HandshakeMessage.decode(payload).clientHello!.ephemeral!;
        noise.authenticate(NOISE_WA_HEADER);
        noise.authenticate(clientEphemeral);
        ephemeral = Curve.generateKeyPair();
        noise.authenticate(ephemeral.public);
        noise.mixIntoKey(Curve.sharedKey(ephemeral.private, clientEphemeral));
        const encryptedStatic = noise.encrypt(this.serverStatic.public);
        noise.mixIntoKey(Curve.sharedKey(this.serverStatic.private, clientEphemeral));
        const serverHello = { ephemeral: ephemeral.public, static: encryptedStatic, payload: noise.encrypt(this.certChain) };
        ws.send(frame(proto.HandshakeMessage.encode({ serverHello }).finish()));
        stage = 'finish';
        return;
      }
      if (stage === 'finish') {
        const finish = proto.HandshakeMessage.decode(payload).clientFinish!;
        noise.mixIntoKey(Curve.sharedKey(ephemeral!.private, noise.decrypt(finish.static!)));
        const clientPayload = proto.ClientPayload.decode(noise.decrypt(finish.payload!));
        noise.finish();
        stage = 'transport';
        connection = this.startSession(id, ws, send, clientPayload);
        return;
      }
      const node = await decodeBinaryNode(noise.decrypt(payload));
      this.received.push({ ...node, connectionId: id });
      await this.handleNode(connection!, node);
    };

    ws.on('message', (data: Buffer) => {
      buffer = Buffer.concat([buffer, data]);
      if (!introSeen) {
        buffer = buffer.subarray(4); // 'WA', version, dictionary
        introSeen = true;
      }
      while (buffer.length >= 3) {
        const length = buffer.readUIntBE(0, 3);
        if (buffer.length < 3 + length) break;
        const payload = buffer.subarray(3, 3 + length);
        buffer = buffer.subarray(3 + length);
        handleFrame(payload).catch((err: unknown) => {
          this.errors.push(err instanceof Error ? err : new Error(String(err)));
          ws.terminate();
        });
      }
    });
    ws.on('close', () => {
      if (connection) connection.open = false;
    });
  }

  private startSession(id: number, ws: WebSocket, send: (node: BinaryNode) => void, payload: proto.ClientPayload): FakeConnection {
    const now = () => String(Math.floor(Date.now() / 1000));
    if (payload.username) {
      const phone = String(payload.username);
      const account = this.accounts.get(phone);
      const connection: FakeConnection = { id, kind: 'login', phone, refs: [], open: true, send };
      this.connections.push(connection);
      send({ tag: 'success', attrs: { t: now(), lid: account?.lid ?? `${phone}9:7@lid`, props: '1', abprops: '1' } });
      // The end of the offline queue: baileys flushes its event buffer after it.
      setTimeout(() => send({ tag: 'ib', attrs: {}, content: [{ tag: 'offline', attrs: { count: '0' } }] }), 20);
      return connection;
    }
    const refs = Array.from({ length: this.qrRefs }, () => `2@${randomBytes(12).toString('base64url')}`);
    const connection: FakeConnection = { id, kind: 'registration', refs, open: true, send };
    this.connections.push(connection);
    send({
      tag: 'iq',
      attrs: { from: 's.whatsapp.net', type: 'set', id: `pair-${id}`, xmlns: 'md' },
      content: [{ tag: 'pair-device', attrs: {}, content: refs.map((ref) => ({ tag: 'ref', attrs: {}, content: Buffer.from(ref) })) }],
    });
    void ws;
    return connection;
  }

  private async handleNode(connection: FakeConnection, node: BinaryNode): Promise<void> {
    if (node.tag === 'message') {
      const stanza: ObservedStanza = {
        id: node.attrs.id!,
        to: node.attrs.to!,
        type: node.attrs.type ?? '',
        ...(node.attrs.edit ? { edit: node.attrs.edit } : {}),
        children: Array.isArray(node.content) ? node.content.map((c) => c.tag) : [],
        attrs: { ...node.attrs },
        connectionId: connection.id,
        ...(await this.decryptFor(connection, node)),
      };
      this.stanzas.push(stanza);
      connection.send({ tag: 'ack', attrs: { class: 'message', id: stanza.id, from: stanza.to, t: String(Math.floor(Date.now() / 1000)) } });
      // Messages to the account's own devices arrive wrapped in a deviceSentMessage.
      const own = stanza.content?.deviceSentMessage?.message ?? stanza.content;
      const onDemand = own?.protocolMessage?.peerDataOperationRequestMessage?.historySyncOnDemandRequest;
      if (onDemand && connection.phone) this.answerHistoryRequest(connection, stanza.id, onDemand);
      for (const waiter of [...this.waiters]) {
        if (waiter.match(stanza)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(stanza);
        }
      }
      return;
    }
    if (node.tag !== 'iq' || (node.attrs.type !== 'get' && node.attrs.type !== 'set')) return;
    const content = await this.answerIq(connection, node);
    connection.send({ tag: 'iq', attrs: { from: node.attrs.to ?? 's.whatsapp.net', type: 'result', id: node.attrs.id! }, ...(content ? { content } : {}) });
  }

  /** Answers the IQs baileys needs for login, sending, media and profiles; others get an empty result. */
  /** Decrypts the first recipient's `<enc>` of an outbound message, as that recipient would. */
  private async decryptFor(connection: FakeConnection, node: BinaryNode): Promise<Pick<ObservedStanza, 'content' | 'mediaType' | 'decryptError'>> {
    // A peer message (to the account's own phone) carries its <enc> directly, without <participants>.
    const peer = node.attrs.category === 'peer' ? getBinaryNodeChild(node, 'enc') : undefined;
    const to = peer ? { tag: 'to', attrs: { jid: node.attrs.to! } } : getBinaryNodeChildren(getBinaryNodeChild(node, 'participants'), 'to')[0];
    const enc = peer ?? getBinaryNodeChild(to, 'enc');
    if (!to || !enc || !connection.phone) return {};
    const sender = this.accounts.get(connection.phone)?.jid ?? `${connection.phone}:7@s.whatsapp.net`;
    const mediaType = enc.attrs.mediatype ? { mediaType: enc.attrs.mediatype } : {};
    try {
      const content = await this.peers.decrypt(to.attrs.jid!, sender, enc.attrs.type as 'pkmsg' | 'msg', enc.content as Uint8Array);
      return { content, ...mediaType };
    } catch (err) {
      return { decryptError: err instanceof Error ? err.message : String(err), ...mediaType };
    }
  }

  private async answerIq(connection: FakeConnection, node: BinaryNode): Promise<BinaryNode[] | undefined> {
    const first = Array.isArray(node.content) ? node.content[0] : undefined;
    const xmlns = node.attrs.xmlns;
    if (first?.tag === 'count') return [{ tag: 'count', attrs: { value: '100' } }];
    if (xmlns === 'w:m') {
      return [{ tag: 'media_conn', attrs: { auth: 'fake-media-auth', ttl: '300' }, content: [{ tag: 'host', attrs: { hostname: this.media.host, maxContentLengthBytes: '104857600' } }] }];
    }
    if (xmlns === 'w:profile:picture' && node.attrs.type === 'get') {
      const phone = (node.attrs.target ?? '').split('@')[0]!.split(':')[0]!;
      const url = this.profiles.get(phone)?.pictureUrl;
      return url ? [{ tag: 'picture', attrs: { url, id: '1', type: 'image' } }] : undefined;
    }
    if (xmlns === 'privacy' && node.attrs.type === 'get') {
      const categories = Object.entries(this.privacy).map(([name, value]) => ({ tag: 'category', attrs: { name, value } }));
      return [{ tag: 'privacy', attrs: {}, content: categories }];
    }
    if (xmlns === 'usync' && first?.tag === 'usync') return [this.answerUsync(connection, first)];
    if (xmlns === 'w:sync:app:state' && first?.tag === 'sync') {
      // An account without app state (no archived, pinned or muted chats): every collection is up to date.
      const collections = getBinaryNodeChildren(first, 'collection').map((c) => ({ tag: 'collection', attrs: { name: c.attrs.name!, version: c.attrs.version ?? '0' } }));
      return [{ tag: 'sync', attrs: {}, content: collections }];
    }
    if (xmlns === 'encrypt' && node.attrs.type === 'get' && first?.tag === 'key') {
      const users = await Promise.all(getBinaryNodeChildren(first, 'user').map((u) => this.peers.bundleNode(u.attrs.jid!)));
      return [{ tag: 'list', attrs: {}, content: users }];
    }
    return undefined;
  }

  private answerUsync(connection: FakeConnection, usync: BinaryNode): BinaryNode {
    const list = getBinaryNodeChild(usync, 'list');
    const query = getBinaryNodeChild(usync, 'query');
    const users = getBinaryNodeChildren(list, 'user').map((user): BinaryNode => {
      const contact = getBinaryNodeChild(user, 'contact');
      const phone = contact?.content ? Buffer.from(contact.content as Uint8Array).toString().replace(/\D/g, '') : (user.attrs.jid ?? '').split('@')[0]!.split(':')[0]!;
      const children: BinaryNode[] = [];
      if (contact) children.push({ tag: 'contact', attrs: { type: this.unregistered.has(phone) ? 'out' : 'in' } });
      const status = this.profiles.get(phone)?.status;
      // Every other user has one device, the phone (id 0); the client's own account gets none.
      if (getBinaryNodeChild(query, 'devices') && phone !== connection.phone) {
        children.push({ tag: 'devices', attrs: {}, content: [{ tag: 'device-list', attrs: {}, content: [{ tag: 'device', attrs: { id: '0' } }] }] });
      }
      if (getBinaryNodeChild(query, 'lid')) children.push({ tag: 'lid', attrs: { val: lidOf(phone) } });
      if (getBinaryNodeChild(query, 'status')) {
        children.push({ tag: 'status', attrs: { t: '1700000000' }, ...(status ? { content: Buffer.from(status) } : {}) });
      }
      return { tag: 'user', attrs: { jid: `${phone}@s.whatsapp.net` }, content: children };
    });
    return { tag: 'usync', attrs: {}, content: [{ tag: 'list', attrs: {}, content: users }] };
  }

  /** The connection to act on: the latest open login (for a phone), else the latest open connection. */
  connection(phone?: string): FakeConnection {
    const open = this.connections.filter((c) => c.open && (phone === undefined || c.phone === phone));
    const pick = open.filter((c) => c.kind === 'login').at(-1) ?? (phone === undefined ? open.at(-1) : undefined);
    if (!pick) throw new Error(`no open fake WhatsApp connection${phone ? ` for ${phone}` : ''}`);
    return pick;
  }

  /**
   * The phone scans `qr`: sends pair-success for `phone` on the connection that offered the QR,
   * then the stream error 515 (restart required) as WhatsApp does.
   */
  scanQr(qr: string, phone = '15551234567'): FakeAccount {
    const parsed = parsePairingQr(qr);
    const connection = this.connections.find((c) => c.open && c.refs.includes(parsed.ref));
    if (!connection) throw new Error(`no open registration offered QR ref ${parsed.ref}`);
    const account = this.accounts.get(phone) ?? { phone, jid: `${phone}:7@s.whatsapp.net`, lid: lidOf(phone).replace('@', ':7@'), accountKey: Curve.generateKeyPair() };
    this.accounts.set(phone, account);
    connection.send(buildPairSuccess(parsed, account));
    setTimeout(() => connection.send({ tag: 'stream:error', attrs: { code: '515' } }), 100);
    return account;
  }

  /** Gives the phone `phone` (digits) older messages of `chatJid`, which it hands out on on-demand history requests. */
  addHistory(phone: string, chatJid: string, messages: FakeHistoryMessage[]): void {
    const chats = this.history.get(phone) ?? new Map<string, FakeHistoryMessage[]>();
    this.history.set(phone, chats);
    chats.set(chatJid, [...(chats.get(chatJid) ?? []), ...messages]);
  }

  /** The phone pushes a history sync (as at link time) to its linked device: chats with their latest messages. */
  pushHistorySync(conversations: FakeConversation[], options: { syncType?: FakeHistorySyncType; toPhone?: string } = {}): string {
    const connection = this.connection(options.toPhone);
    return this.sendFromOwnPhone(connection, historySyncNotification(options.syncType ?? 'RECENT', conversations));
  }

  /** Answers `historySyncOnDemandRequest` as a phone does: an ON_DEMAND history sync with the older messages. */
  private answerHistoryRequest(connection: FakeConnection, requestId: string, request: proto.Message.PeerDataOperationRequestMessage.IHistorySyncOnDemandRequest): void {
    const phone = connection.phone!;
    const chatJid = request.chatJid ?? '';
    const ask = {
      count: request.onDemandMsgCount ?? 0,
      ...(request.oldestMsgId ? { oldestMsgId: request.oldestMsgId } : {}),
      ...(request.oldestMsgTimestampMs !== undefined && request.oldestMsgTimestampMs !== null ? { oldestMsgTimestampMs: Number(request.oldestMsgTimestampMs) } : {}),
    };
    const answer = olderThanAnchor(this.history.get(phone)?.get(chatJid) ?? [], ask);
    this.historyRequests.push({ phone, chatJid, ...ask, answered: answer.map((m) => m.id) });
    this.sendFromOwnPhone(connection, historySyncNotification('ON_DEMAND', [{ id: chatJid, messages: answer }], requestId));
  }

  /** A plaintext message from the account's own phone (baileys treats it as `fromMe`). */
  private sendFromOwnPhone(connection: FakeConnection, message: proto.IMessage): string {
    const id = `3EB0${randomBytes(8).toString('hex').toUpperCase()}`;
    connection.send({
      tag: 'message',
      attrs: { from: `${connection.phone}@s.whatsapp.net`, id, type: 'text', t: String(Math.floor(Date.now() / 1000)) },
      content: [{ tag: 'plaintext', attrs: {}, content: proto.Message.encode(message).finish() }],
    });
    return id;
  }

  /** Delivers a plaintext (not Signal-encrypted) message, as baileys' decoder accepts. Returns the stanza id. */
  pushMessage(message: proto.IMessage, options: PushOptions = {}): string {
    const id = options.id ?? `3EB0${randomBytes(8).toString('hex').toUpperCase()}`;
    const type = message.reactionMessage ? 'reaction' : message.conversation || message.extendedTextMessage ? 'text' : message.pollCreationMessageV3 ? 'poll' : 'media';
    this.connection(options.toPhone).send({
      tag: 'message',
      attrs: {
        from: options.from ?? '15550009999@s.whatsapp.net',
        id,
        type,
        t: String(Math.floor(Date.now() / 1000)),
        notify: options.pushName ?? 'Alice',
        ...(options.participant ? { participant: options.participant } : {}),
        ...options.attrs,
      },
      content: [{ tag: 'plaintext', attrs: {}, content: proto.Message.encode(message).finish() }],
    });
    return id;
  }

  /** Encrypts `bytes` as WhatsApp media, stores them on the media host and delivers the message. */
  async pushMedia(kind: InboundMediaKind, bytes: Buffer, extra: { mimetype: string; caption?: string; fileName?: string; ptt?: boolean }, options: PushOptions = {}): Promise<string> {
    const message = await encryptInboundMedia(this.media, kind, bytes, extra);
    return this.pushMessage(message, options);
  }

  /** Resolves with the next outbound stanza that matches (already recorded ones count). */
  nextStanza(match: (s: ObservedStanza) => boolean = () => true, timeoutMs = 10_000, after = 0): Promise<ObservedStanza> {
    const seen = this.stanzas.slice(after).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve: (s: ObservedStanza) => (clearTimeout(timer), resolve(s)) };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no matching <message> stanza within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Another device took over the session: `<stream:error><conflict type="replaced"/>` (baileys: 440). */
  replaceSession(phone?: string): void {
    this.connection(phone).send({ tag: 'stream:error', attrs: {}, content: [{ tag: 'conflict', attrs: { type: 'replaced' } }] });
  }

  /** The phone unlinked this device: `<failure reason="401">` (baileys: 401 loggedOut). */
  logOut(phone?: string): void {
    const connection = this.connection(phone);
    if (connection.phone) this.accounts.delete(connection.phone);
    connection.send({ tag: 'failure', attrs: { reason: '401', location: 'fake' } });
  }

  /** `<stream:error code="515">`: restart required. */
  requireRestart(phone?: string): void {
    this.connection(phone).send({ tag: 'stream:error', attrs: { code: '515' } });
  }

  /** Drops every open socket without a word (baileys: 428 connection closed). */
  dropConnections(): void {
    for (const client of this.wss?.clients ?? []) client.terminate();
  }

  async close(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => (this.wss ? this.wss.close(() => resolve()) : resolve()));
    await this.media.close();
  }
}
