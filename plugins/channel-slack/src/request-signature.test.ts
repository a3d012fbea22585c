import { describe, expect, it } from 'vitest';
import { signSlackRequest } from '@omni/plugin-sdk/testing/slack';
import { verifySlackSignature } from './request-signature.js';

const SECRET = 'signing-secret-0123456789';
const body = Buffer.from('{"type":"event_callback","event":{"text":"héllo"}}');
const now = 1_700_000_000;
const headers = (ts: number, sig = signSlackRequest(SECRET, ts, body)) => ({ 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sig });

describe('verifySlackSignature', () => {
  it('accepts a request signed over the exact raw body within five minutes', () => {
    expect(verifySlackSignature(SECRET, headers(now), body, now)).toEqual({ ok: true });
    expect(verifySlackSignature(SECRET, headers(now - 299), body, now)).toEqual({ ok: true });
  });

  it('refuses a stale or future timestamp even when the signature matches', () => {
    expect(verifySlackSignature(SECRET, headers(now - 301), body, now)).toMatchObject({ ok: false, reason: expect.stringContaining('5-minute') });
    expect(verifySlackSignature(SECRET, headers(now + 301), body, now)).toMatchObject({ ok: false });
  });

  it('refuses a changed body, a wrong secret, and missing or malformed headers', () => {
    expect(verifySlackSignature(SECRET, headers(now), Buffer.from(body.toString().replace('héllo', 'hello')), now)).toMatchObject({ ok: false, reason: 'signature does not match' });
    expect(verifySlackSignature('another-secret-000', headers(now), body, now)).toMatchObject({ ok: false });
    expect(verifySlackSignature(SECRET, headers(now, 'v0=abc'), body, now)).toMatchObject({ ok: false });
    expect(verifySlackSignature(SECRET, {}, body, now)).toMatchObject({ ok: false, reason: expect.stringContaining('missing') });
    expect(verifySlackSignature(SECRET, { 'x-slack-request-timestamp': 'soon', 'x-slack-signature': 'v0=x' }, body, now)).toMatchObject({ ok: false });
  });
});
