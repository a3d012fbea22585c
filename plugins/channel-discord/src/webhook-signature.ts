import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/** DER prefix that turns a raw 32-byte Ed25519 public key into an SPKI key node:crypto can read. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/** Signed requests older (or newer) than this are refused, so a captured request cannot be replayed later. */
export const SIGNATURE_WINDOW_SECONDS = 300;

export function publicKeyFromHex(hex: string): KeyObject {
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(hex, 'hex')]), format: 'der', type: 'spki' });
}

/**
 * Checks a Discord-interactions-style signature: `X-Signature-Ed25519` is the hex Ed25519 signature
 * of `X-Signature-Timestamp` followed by the exact raw body, made with the application's key.
 */
export function signatureValid(publicKey: KeyObject, headers: Record<string, string | undefined>, rawBody: Buffer, now = Date.now()): boolean {
  const signature = headers['x-signature-ed25519'];
  const timestamp = headers['x-signature-timestamp'];
  if (!signature || !timestamp || !/^[0-9a-fA-F]{128}$/.test(signature) || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(now / 1000 - Number(timestamp)) > SIGNATURE_WINDOW_SECONDS) return false;
  try {
    return verify(null, Buffer.concat([Buffer.from(timestamp), rawBody]), publicKey, Buffer.from(signature, 'hex'));
  } catch {
    return false;
  }
}
