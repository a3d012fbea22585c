import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { escapeNonAscii as metaEscape } from '@omni/plugin-sdk/testing/whatsapp-cloud';
import { escapeNonAscii, signatureMatches, verifyTokenMatches } from './webhook-signature.js';

const SECRET = 'app-secret-for-signatures';
const sign = (body: string) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
const body = JSON.stringify({ text: 'äöå 🍝 — olá' });

describe('webhook signature', () => {
  it("escapes exactly like the fake of Meta's signer", () => {
    expect(escapeNonAscii(body)).toBe(metaEscape(body));
    expect(escapeNonAscii('äöå')).toBe('\\u00e4\\u00f6\\u00e5');
  });

  it('matches a signature over the raw bytes or over the escaped form', () => {
    expect(signatureMatches(SECRET, Buffer.from(body), sign(body))).toBe(true);
    expect(signatureMatches(SECRET, Buffer.from(body), sign(escapeNonAscii(body)))).toBe(true);
    expect(signatureMatches(SECRET, Buffer.from(body), sign(body).toUpperCase().replace('SHA256=', 'sha256='))).toBe(true);
  });

  it('refuses other secrets, other bodies, missing and malformed headers', () => {
    const other = `sha256=${createHmac('sha256', 'other').update(body).digest('hex')}`;
    expect(signatureMatches(SECRET, Buffer.from(body), other)).toBe(false);
    expect(signatureMatches(SECRET, Buffer.from(`${body} `), sign(body))).toBe(false);
    expect(signatureMatches(SECRET, Buffer.from(body), undefined)).toBe(false);
    expect(signatureMatches(SECRET, Buffer.from(body), sign(body).slice(7))).toBe(false);
    expect(signatureMatches(SECRET, Buffer.from(body), sign(body).slice(0, -2))).toBe(false);
    expect(signatureMatches(SECRET, Buffer.from(body), `sha1=${sign(body).slice(7)}`)).toBe(false);
  });

  it('compares verify tokens exactly, whatever their length', () => {
    expect(verifyTokenMatches('verify-me', 'verify-me')).toBe(true);
    expect(verifyTokenMatches('verify-me', 'verify-me ')).toBe(false);
    expect(verifyTokenMatches('verify-me', '')).toBe(false);
    expect(verifyTokenMatches('verify-me', undefined)).toBe(false);
  });
});
