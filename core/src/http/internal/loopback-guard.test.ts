import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.js';
import { addressList, clientAddress, isLoopbackAddress } from './loopback-guard.js';

describe('loopback addresses', () => {
  it.each(['127.0.0.1', '127.1.2.3', '127.255.255.254', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1'])('%s is loopback', (a) => {
    expect(isLoopbackAddress(a)).toBe(true);
  });
  it.each(['192.0.2.2', '10.0.0.1', '128.0.0.1', '::2', 'fd00::2', '::ffff:10.0.0.1', 'localhost', '127.0.0.1.evil.com', '', undefined])('%s is not', (a) => {
    expect(isLoopbackAddress(a)).toBe(false);
  });
});

describe('client address', () => {
  const none = addressList([]);
  const proxies = addressList(['192.0.2.10', '10.1.0.0/16']);

  it('ignores forwarding headers from a peer that is not a trusted proxy', () => {
    expect(clientAddress('192.0.2.99', { forwardedFor: '127.0.0.1', realIp: '127.0.0.1' }, none)).toBe('192.0.2.99');
    expect(clientAddress('192.0.2.99', { forwardedFor: '127.0.0.1' }, proxies)).toBe('192.0.2.99');
    expect(clientAddress('127.0.0.1', { forwardedFor: '203.0.113.9' }, none)).toBe('127.0.0.1');
  });

  it('takes the nearest untrusted hop of X-Forwarded-For from a trusted proxy', () => {
    expect(clientAddress('192.0.2.10', { forwardedFor: '127.0.0.1' }, proxies)).toBe('127.0.0.1');
    // The client forged the first entry; the proxy appended the real address.
    expect(clientAddress('192.0.2.10', { forwardedFor: '127.0.0.1, 203.0.113.9' }, proxies)).toBe('203.0.113.9');
    // Two trusted proxies in a row are skipped.
    expect(clientAddress('192.0.2.10', { forwardedFor: '::1, 10.1.2.3' }, proxies)).toBe('::1');
    expect(clientAddress('192.0.2.10', { forwardedFor: '[::1]:5000' }, proxies)).toBe('::1');
    expect(clientAddress('192.0.2.10', { forwardedFor: '127.0.0.1:5000' }, proxies)).toBe('127.0.0.1');
  });

  it('falls back to X-Real-IP, then to the proxy itself', () => {
    expect(clientAddress('10.1.9.9', { realIp: '127.0.0.1' }, proxies)).toBe('127.0.0.1');
    expect(clientAddress('10.1.9.9', {}, proxies)).toBe('10.1.9.9');
  });

  it('refuses to build a list from something that is not an address', () => {
    expect(() => addressList(['example.com'])).toThrow(/not an IP address/);
  });
});

describe('OMNI_TRUSTED_PROXIES', () => {
  it('takes addresses and CIDR subnets, and names the variable for anything else', () => {
    expect(loadConfig({ OMNI_TRUSTED_PROXIES: '10.0.0.1, 10.1.0.0/16,::1' }).trustedProxies).toEqual(['10.0.0.1', '10.1.0.0/16', '::1']);
    expect(loadConfig({}).trustedProxies).toEqual([]);
    for (const bad of ['proxy.local', '10.0.0.0/33', '10.0.0.1/8/1', '::1/129']) {
      expect(() => loadConfig({ OMNI_TRUSTED_PROXIES: bad }), bad).toThrow(/OMNI_TRUSTED_PROXIES/);
    }
  });
});
