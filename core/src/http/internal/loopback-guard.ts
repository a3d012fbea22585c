import { BlockList, isIP } from 'node:net';
import type { Context } from 'koa';
import { OmniError } from '@omni/plugin-sdk';

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

const family = (address: string): 'ipv4' | 'ipv6' | undefined => (isIP(address) === 4 ? 'ipv4' : isIP(address) === 6 ? 'ipv6' : undefined);

/** 127.0.0.0/8, ::1, and IPv4-mapped loopback (`::ffff:127.0.0.1`). Anything unparseable is not. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const f = family(address);
  return f !== undefined && LOOPBACK.check(address, f);
}

/** Addresses or CIDR subnets (`10.0.0.0/8`) as given in OMNI_TRUSTED_PROXIES. */
export function addressList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.split('/');
    const f = family(address ?? '');
    if (!address || !f) throw new Error(`not an IP address or subnet: ${entry}`);
    if (prefix === undefined) list.addAddress(address, f);
    else list.addSubnet(address, Number(prefix), f);
  }
  return list;
}

const inList = (list: BlockList, address: string): boolean => {
  const f = family(address);
  return f !== undefined && list.check(address, f);
};

/** One forwarded address without brackets or port: `[::1]:443` → `::1`, `1.2.3.4:80` → `1.2.3.4`. */
function bareAddress(entry: string): string {
  const value = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (bracketed) return bracketed[1]!;
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(value);
  return v4WithPort ? v4WithPort[1]! : value;
}

/**
 * The address the request comes from. The socket peer, unless that peer is a trusted proxy: then
 * the nearest X-Forwarded-For hop that is not itself a trusted proxy (else X-Real-IP). Headers from
 * anyone else are ignored: they are trivial to forge.
 */
export function clientAddress(peer: string | undefined, headers: { forwardedFor?: string; realIp?: string }, trusted: BlockList): string | undefined {
  if (!peer || !inList(trusted, peer)) return peer;
  const hops = (headers.forwardedFor ?? '').split(',').map(bareAddress).filter(Boolean);
  if (hops.length > 0) {
    for (let i = hops.length - 1; i >= 0; i--) if (i === 0 || !inList(trusted, hops[i]!)) return hops[i];
  }
  const realIp = headers.realIp?.trim();
  // A trusted proxy that says nothing about its client: the proxy is the client.
  return realIp ? bareAddress(realIp) : peer;
}

/**
 * The internal API's admission: only callers on this machine. Refusals say nothing about why,
 * nor that the route exists.
 */
export function loopbackGuard(trustedProxies: readonly string[]): (ctx: Context) => void {
  const trusted = addressList(trustedProxies);
  return (ctx) => {
    const headers = { forwardedFor: ctx.get('x-forwarded-for') || undefined, realIp: ctx.get('x-real-ip') || undefined };
    if (!isLoopbackAddress(clientAddress(ctx.req.socket.remoteAddress, headers, trusted))) {
      throw new OmniError('FORBIDDEN', 'not available');
    }
  };
}
