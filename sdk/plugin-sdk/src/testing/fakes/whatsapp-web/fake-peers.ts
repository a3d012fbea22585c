import {
  addTransactionCapability,
  Curve,
  DEFAULT_CONNECTION_CONFIG,
  encodeBigEndian,
  initAuthCreds,
  jidNormalizedUser,
  KEY_BUNDLE_TYPE,
  proto,
  unpadRandomMax16,
  type BinaryNode,
  type SignalDataTypeMap,
  type SignalKeyStore,
} from 'baileys';

const silent = { level: 'silent', child: () => silent, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

function memoryKeys(): SignalKeyStore {
  const data = new Map<string, unknown>();
  return {
    get: async <T extends keyof SignalDataTypeMap>(type: T, ids: string[]) => {
      const out: { [id: string]: SignalDataTypeMap[T] } = {};
      for (const id of ids) if (data.has(`${type}:${id}`)) out[id] = data.get(`${type}:${id}`) as SignalDataTypeMap[T];
      return out;
    },
    set: async (update) => {
      for (const [type, entries] of Object.entries(update)) {
        for (const [id, value] of Object.entries(entries ?? {})) (value ? data.set(`${type}:${id}`, value) : data.delete(`${type}:${id}`));
      }
    },
  };
}

type Repository = ReturnType<typeof DEFAULT_CONNECTION_CONFIG.makeSignalRepository>;

/** One WhatsApp user the fake speaks for: its Signal identity and a one-time prekey, as a phone would have. */
interface Peer {
  repository: Repository;
  keys: SignalKeyStore;
  /** The bundle without its one-time prekey (a fresh one is added per request). */
  bundle: BinaryNode[];
}

/**
 * The other ends of a conversation. The fake hands out each peer's prekey bundle, so the client
 * builds real Signal sessions and encrypts to them, and the fake decrypts what it sent with the
 * same library the client uses (baileys' libsignal repository).
 */
export class FakePeers {
  private readonly peers = new Map<string, Peer>();
  private nextPreKeyId = 1;

  /** `canonical` maps a JID to the person behind it, so a user's PN and LID share one identity. */
  constructor(private readonly canonical: (jid: string) => string = jidNormalizedUser) {}

  private async peer(jid: string): Promise<Peer> {
    const user = this.canonical(jid);
    const existing = this.peers.get(user);
    if (existing) return existing;
    const creds = initAuthCreds();
    const keys = addTransactionCapability(memoryKeys(), silent as never, { maxCommitRetries: 1, delayBetweenTriesMs: 1 });
    const repository = DEFAULT_CONNECTION_CONFIG.makeSignalRepository({ creds, keys }, silent as never);
    const bundle: BinaryNode[] = [
      { tag: 'registration', attrs: {}, content: Buffer.from(encodeBigEndian(creds.registrationId, 4)) },
      { tag: 'type', attrs: {}, content: KEY_BUNDLE_TYPE },
      { tag: 'identity', attrs: {}, content: Buffer.from(creds.signedIdentityKey.public) },
      {
        tag: 'skey',
        attrs: {},
        content: [
          { tag: 'id', attrs: {}, content: Buffer.from(encodeBigEndian(creds.signedPreKey.keyId, 3)) },
          { tag: 'value', attrs: {}, content: Buffer.from(creds.signedPreKey.keyPair.public) },
          { tag: 'signature', attrs: {}, content: Buffer.from(creds.signedPreKey.signature) },
        ],
      },
    ];
    const peer = { repository, keys, bundle };
    this.peers.set(user, peer);
    return peer;
  }

  /** The `<user>` node of an `encrypt` IQ answer: the peer's prekey bundle. */
  async bundleNode(jid: string): Promise<BinaryNode> {
    const peer = await this.peer(jid);
    const preKeyId = this.nextPreKeyId++;
    const preKey = Curve.generateKeyPair();
    await peer.keys.set({ 'pre-key': { [String(preKeyId)]: preKey } });
    const key: BinaryNode = {
      tag: 'key',
      attrs: {},
      content: [
        { tag: 'id', attrs: {}, content: Buffer.from(encodeBigEndian(preKeyId, 3)) },
        { tag: 'value', attrs: {}, content: Buffer.from(preKey.public) },
      ],
    };
    return { tag: 'user', attrs: { jid }, content: [...peer.bundle, key] };
  }

  /** Decrypts what `senderJid` (the client device) encrypted to `recipientJid`. */
  async decrypt(recipientJid: string, senderJid: string, type: 'pkmsg' | 'msg', ciphertext: Uint8Array): Promise<proto.IMessage> {
    const { repository } = await this.peer(recipientJid);
    const padded = await repository.decryptMessage({ jid: senderJid, type, ciphertext });
    return proto.Message.decode(unpadRandomMax16(padded));
  }
}
