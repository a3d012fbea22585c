import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Meta's escaped form of a payload: every character above `~` becomes `\uXXXX` with lowercase
 * hex digits (UTF-16 code units: an emoji is two escapes). Meta computes signatures over it.
 */
export function escapeNonAscii(text: string): string {
  return text.replace(/[^\0-~]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const hmac = (secret: string, data: Buffer | string) => createHmac('sha256', secret).update(data).digest();

/**
 * Checks `X-Hub-Signature-256` (`sha256=<hex>`) against the raw body and against its escaped
 * form, in constant time. Missing or malformed headers never match.
 */
export function signatureMatches(appSecret: string, rawBody: Buffer, header: string | undefined): boolean {
  if (!header || !header.startsWith('sha256=')) return false;
  const hex = header.slice('sha256='.length);
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return false;
  const given = Buffer.from(hex, 'hex');
  const candidates = [hmac(appSecret, rawBody)];
  const text = rawBody.toString('utf8');
  const escaped = escapeNonAscii(text);
  if (escaped !== text) candidates.push(hmac(appSecret, escaped));
  // Compare with every candidate, so the time taken does not tell which form matched.
  return candidates.map((expected) => timingSafeEqual(expected, given)).includes(true);
}

/** Constant-time comparison of the verify token from Meta's handshake. */
export function verifyTokenMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = hmac('verify-token', expected);
  const b = hmac('verify-token', given);
  return timingSafeEqual(a, b);
}
