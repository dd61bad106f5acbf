import type { Request } from 'express';

/**
 * An IPv4 client seen on an IPv6 socket ("::ffff:203.0.113.7") is the same client as
 * "203.0.113.7"; an IPv6 client is counted by its /64, which one household holds whole.
 */
export function clientKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1];
  if (!ip.includes(':')) return ip;
  const [head] = ip.toLowerCase().split('::');
  return `${head.split(':').slice(0, 4).join(':')}::/64`;
}

/** The client a request counts against: the address Express derives under TRUST_PROXY (a header from an untrusted hop picks nothing). */
export function clientOf(req: Request): string {
  return clientKey(req.ip ?? req.socket.remoteAddress ?? 'unknown');
}
