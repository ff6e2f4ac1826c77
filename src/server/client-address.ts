import type { IncomingMessage } from 'node:http';
import { isIPv6 } from 'node:net';

/**
 * The address sign-in throttling counts a request against. With `trustedHops` proxies in front (each appending
 * the address it received the request from to `X-Forwarded-For`), it is the entry that the outermost trusted
 * proxy wrote: `trustedHops` places from the right of `X-Forwarded-For, <TCP peer>`. Entries further left were
 * written by the client and are ignored. IPv6 addresses count per /64, the block one subscriber usually holds.
 */
export function clientAddress(req: IncomingMessage, trustedHops: number): string | undefined {
  const peer = req.socket.remoteAddress;
  if (trustedHops === 0 || peer === undefined) return peer === undefined ? undefined : grouped(peer);
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((entry) => entry.trim()).filter(Boolean);
  const chain = [...forwarded, peer];
  return grouped(chain[Math.max(0, chain.length - 1 - trustedHops)]);
}

function grouped(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  const bare = address.replace(/%.*$/, '');
  if (!bare.includes(':') || !isIPv6(bare)) return address;
  const [head, tail] = bare.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups.slice(0, 4).map((group) => parseInt(group, 16).toString(16)).join(':')}::/64`;
}
