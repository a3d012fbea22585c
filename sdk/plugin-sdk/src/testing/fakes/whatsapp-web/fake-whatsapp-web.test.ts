import makeWASocket, { DisconnectReason, downloadMediaMessage, initAuthCreds, proto, type AuthenticationCreds, type BaileysEventMap, type SignalDataTypeMap, type WAMessage, type WASocket } from 'baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../wait-for.js';
import { FakeWhatsAppWeb, trustFakeWhatsAppWeb } from './index.js';

const silent = { level: 'silent', child: () => silent, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

function memoryKeys() {
  const data = new Map<string, unknown>();
  return {
    get: async <T extends keyof SignalDataTypeMap>(type: T, ids: string[]) => Object.fromEntries(ids.map((id) => [id, data.get(`${type}:${id}`)])) as { [id: string]: SignalDataTypeMap[T] },
    set: async (update: Record<string, Record<string, unknown>>) => {
      for (const [type, entries] of Object.entries(update)) for (const [id, v] of Object.entries(entries)) (v ? data.set(`${type}:${id}`, v) : data.delete(`${type}:${id}`));
    },
  };
}

/** A real baileys socket with a reconnect loop like an adapter's, recording what it saw. */
class Client {
  readonly creds: AuthenticationCreds = initAuthCreds();
  readonly keys = memoryKeys();
  readonly closes: Array<number | undefined> = [];
  readonly qrs: string[] = [];
  readonly inbound: WAMessage[] = [];
  readonly histories: Array<BaileysEventMap['messaging-history.set']> = [];
  sock!: WASocket;
  opens = 0;
  constructor(private readonly fake: FakeWhatsAppWeb, private readonly phone: string) {}

  connect(): void {
    const sock = makeWASocket({ auth: { creds: this.creds, keys: this.keys }, logger: silent as never, waWebSocketUrl: this.fake.url, markOnlineOnConnect: false, shouldSyncHistoryMessage: (n) => n.syncType === proto.HistorySync.HistorySyncType.ON_DEMAND });
    this.sock = sock;
    sock.ev.on('creds.update', (u) => Object.assign(this.creds, u));
    sock.ev.on('messages.upsert', ({ messages, type }) => type === 'notify' && this.inbound.push(...messages));
    sock.ev.on('messaging-history.set', (set) => this.histories.push(set));
    sock.ev.on('connection.update', (u) => {
      if (u.qr) {
        this.qrs.push(u.qr);
        this.fake.scanQr(u.qr, this.phone);
      }
      if (u.connection === 'open') this.opens++;
      if (u.connection === 'close') {
        const code = (u.lastDisconnect?.error as { output?: { statusCode?: number } } | undefined)?.output?.statusCode;
        this.closes.push(code);
        if (code === DisconnectReason.restartRequired) this.connect();
      }
    });
  }
}

describe('fake WhatsApp Web server', () => {
  let fake: FakeWhatsAppWeb;
  let client: Client;

  beforeAll(async () => {
    fake = await FakeWhatsAppWeb.start({ qrRefs: 2 });
    await trustFakeWhatsAppWeb(fake);
    client = new Client(fake, '15551230001');
    client.connect();
    await waitFor('open after pairing', () => client.opens === 1);
  });
  afterAll(async () => {
    client?.sock.end(undefined);
    await fake?.close();
  });

  it('pairs by QR, asks for a restart (515) and accepts the login', () => {
    expect(client.qrs).toHaveLength(1);
    expect(client.closes).toEqual([DisconnectReason.restartRequired]);
    expect(fake.registrations).toHaveLength(1);
    expect(fake.logins.map((c) => c.phone)).toEqual(['15551230001']);
    expect(client.creds.me?.id).toBe('15551230001:7@s.whatsapp.net');
  });

  it('delivers plaintext inbound messages, with LID sender attributes', async () => {
    fake.pushMessage({ conversation: 'hello' }, { id: 'IN1' });
    fake.pushMessage({ conversation: 'from a lid' }, { id: 'IN2', from: '4242@lid', attrs: { sender_pn: '15550004242@s.whatsapp.net', addressing_mode: 'lid' } });
    await waitFor('two inbound', () => client.inbound.length >= 2);
    expect(client.inbound[0]).toMatchObject({ key: { id: 'IN1', remoteJid: '15550009999@s.whatsapp.net' }, message: { conversation: 'hello' } });
    expect(client.inbound[1]!.key).toMatchObject({ id: 'IN2', remoteJid: '4242@lid', remoteJidAlt: '15550004242@s.whatsapp.net' });
  });

  it('records outbound message stanzas with recipient, type and id', async () => {
    const sent = await client.sock.sendMessage('15550009999@s.whatsapp.net', { text: 'out' });
    const stanza = await fake.nextStanza((s) => s.id === sent!.key.id);
    expect(stanza).toMatchObject({ to: '15550009999@s.whatsapp.net', type: 'text' });
    expect(stanza.decryptError).toBeUndefined();
    expect(stanza.content?.conversation ?? stanza.content?.extendedTextMessage?.text).toBe('out');
    const second = await client.sock.sendMessage('15550009999@s.whatsapp.net', { text: 'again' }); // an established session: type msg
    expect((await fake.nextStanza((s) => s.id === second!.key.id)).content?.extendedTextMessage?.text ?? '').toBe('again');
    const react = await client.sock.sendMessage('15550009999@s.whatsapp.net', { react: { text: '👍', key: { remoteJid: '15550009999@s.whatsapp.net', id: 'IN1' } } });
    const reaction = await fake.nextStanza((s) => s.id === react!.key.id);
    expect(reaction.type).toBe('reaction');
    expect(reaction.content?.reactionMessage).toMatchObject({ text: '👍', key: { id: 'IN1' } });
  });

  it('answers onWhatsApp from its registry', async () => {
    fake.unregistered.add('15550000000');
    const found = await client.sock.onWhatsApp('15550009999', '15550000000');
    // baileys drops numbers the server reports as not on WhatsApp
    expect(found).toEqual([{ jid: '15550009999@s.whatsapp.net', exists: true }]);
  });

  it('carries media over local HTTPS both ways', async () => {
    const bytes = Buffer.from('%PDF-1.4 fake document bytes');
    const sent = await client.sock.sendMessage('15550009999@s.whatsapp.net', { document: bytes, mimetype: 'application/pdf', fileName: 'a.pdf' });
    expect(fake.media.uploads).toHaveLength(1);
    expect(fake.media.uploads[0]!.bytes.equals(bytes)).toBe(false); // stored encrypted
    expect(fake.media.uploads[0]!.intact).toBe(true);
    const stanza = await fake.nextStanza((s) => s.id === sent!.key.id);
    expect(stanza.mediaType).toBe('document');
    expect(stanza.content?.documentMessage).toMatchObject({ fileName: 'a.pdf', mimetype: 'application/pdf' });
    expect((await downloadMediaMessage(sent!, 'buffer', {})).equals(bytes)).toBe(true);

    const before = client.inbound.length;
    await fake.pushMedia('image', Buffer.from('not really a png'), { mimetype: 'image/png', caption: 'pic' }, { id: 'IMG1' });
    await waitFor('inbound image', () => client.inbound.length > before);
    const image = client.inbound.at(-1)!;
    expect(image.message?.imageMessage?.caption).toBe('pic');
    expect((await downloadMediaMessage(image, 'buffer', {})).toString()).toBe('not really a png');
  });

  it('answers an on-demand history request (a peer message to the own phone) with an ON_DEMAND history sync', async () => {
    const chat = '15550007777@s.whatsapp.net';
    const day = 86_400;
    const t0 = 1_700_000_000;
    fake.addHistory('15551230001', chat, [1, 2, 3, 4].map((n) => ({ id: `H${n}`, timestamp: t0 + n * day, message: { conversation: `old ${n}` }, pushName: 'Hist' })));
    const before = client.histories.length;
    const requestId = await client.sock.fetchMessageHistory(2, { remoteJid: chat, id: 'H4', fromMe: false }, (t0 + 4 * day) * 1000);
    await waitFor('ON_DEMAND history', () => client.histories.length > before);
    const set = client.histories.at(-1)!;
    expect(set.syncType).toBe(proto.HistorySync.HistorySyncType.ON_DEMAND);
    expect(set.peerDataRequestSessionId).toBe(requestId);
    // the two newest messages older than the anchor H4, oldest first
    expect(set.messages.map((m) => [m.key.id, m.key.remoteJid, m.message?.conversation])).toEqual([
      ['H2', chat, 'old 2'],
      ['H3', chat, 'old 3'],
    ]);
    expect(fake.historyRequests.at(-1)).toMatchObject({ phone: '15551230001', chatJid: chat, count: 2, oldestMsgId: 'H4', answered: ['H2', 'H3'] });
    // anchored at a message the phone does not know: by timestamp
    await client.sock.fetchMessageHistory(10, { remoteJid: chat, id: 'UNKNOWN', fromMe: false }, (t0 + 2 * day) * 1000);
    await waitFor('second answer', () => client.histories.length > before + 1);
    expect(client.histories.at(-1)!.messages.map((m) => m.key.id)).toEqual(['H1']);
  });

  it('sends conflict (440) and failure (401) stream errors', async () => {
    fake.replaceSession('15551230001');
    await waitFor('440', () => client.closes.includes(DisconnectReason.connectionReplaced));
    client.connect();
    await waitFor('open again', () => client.opens === 2);
    fake.logOut('15551230001');
    await waitFor('401', () => client.closes.includes(DisconnectReason.loggedOut));
    expect(client.qrs).toHaveLength(1); // the second login needed no QR
    expect(fake.errors).toEqual([]);
  });

  it('ends registration with a timeout when no QR is scanned', async () => {
    const lonely = await FakeWhatsAppWeb.start({ qrRefs: 1 });
    try {
      const closes: Array<number | undefined> = [];
      const qrs: string[] = [];
      const sock = makeWASocket({ auth: { creds: initAuthCreds(), keys: memoryKeys() }, logger: silent as never, waWebSocketUrl: lonely.url, qrTimeout: 300 });
      sock.ev.on('connection.update', (u) => {
        if (u.qr) qrs.push(u.qr);
        if (u.connection === 'close') closes.push((u.lastDisconnect?.error as { output?: { statusCode?: number } }).output?.statusCode);
      });
      await waitFor('timeout close', () => closes.length > 0);
      expect(qrs).toHaveLength(1);
      expect(closes).toEqual([DisconnectReason.timedOut]);
    } finally {
      await lonely.close();
    }
  });
});
