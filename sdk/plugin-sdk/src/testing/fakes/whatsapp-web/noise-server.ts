import { aesDecryptGCM, aesEncryptGCM, hkdf, NOISE_MODE, sha256 } from 'baileys';

/**
 * The server half of WhatsApp Web's Noise XX handshake (Noise_XX_25519_AESGCM_SHA256), built on
 * baileys' own exported crypto. Before `finish()` it encrypts with the handshake key and hash as
 * associated data; after, with the two transport keys.
 */
export class NoiseServerState {
  private hash: Buffer;
  private salt: Buffer;
  private key: Buffer;
  private counter = 0;
  private transport?: { enc: Buffer; dec: Buffer; read: number; write: number };

  constructor() {
    const mode = Buffer.from(NOISE_MODE);
    this.hash = mode.length === 32 ? mode : sha256(mode);
    this.salt = this.hash;
    this.key = this.hash;
  }

  authenticate(data: Uint8Array): void {
    this.hash = sha256(Buffer.concat([this.hash, data]));
  }

  mixIntoKey(data: Uint8Array): void {
    const derived = Buffer.from(hkdf(Buffer.from(data), 64, { salt: this.salt, info: '' }));
    this.salt = derived.subarray(0, 32);
    this.key = derived.subarray(32);
    this.counter = 0;
  }

  encrypt(plaintext: Uint8Array): Buffer {
    if (this.transport) return aesEncryptGCM(plaintext, this.transport.enc, iv(this.transport.write++), Buffer.alloc(0));
    const out = aesEncryptGCM(plaintext, this.key, iv(this.counter++), this.hash);
    this.authenticate(out);
    return out;
  }

  decrypt(ciphertext: Uint8Array): Buffer {
    if (this.transport) return aesDecryptGCM(ciphertext, this.transport.dec, iv(this.transport.read++), Buffer.alloc(0));
    const out = aesDecryptGCM(ciphertext, this.key, iv(this.counter++), this.hash);
    this.authenticate(ciphertext);
    return out;
  }

  /** Splits the transport keys; the server encrypts with the second half, the client with the first. */
  finish(): void {
    const keys = Buffer.from(hkdf(Buffer.alloc(0), 64, { salt: this.salt, info: '' }));
    this.transport = { dec: keys.subarray(0, 32), enc: keys.subarray(32), read: 0, write: 0 };
  }
}

function iv(counter: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt32BE(counter, 8);
  return b;
}

/** WhatsApp's frame: a 3-byte big-endian length, then the payload. */
export function frame(payload: Uint8Array): Buffer {
  const header = Buffer.alloc(3);
  header.writeUIntBE(payload.length, 0, 3);
  return Buffer.concat([header, payload]);
}
