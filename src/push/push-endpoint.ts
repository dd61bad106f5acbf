import { parse as legacyParse } from 'node:url';

/** Longer than any push service's endpoint; refused before parsing. */
export const MAX_ENDPOINT_LENGTH = 2048;

export type EndpointCheck = { ok: true; endpoint: string } | { ok: false; reason: string };

/**
 * A push endpoint is a URL Dispatch will POST to, so it is accepted only when it is
 * https on one of the configured push-service hosts (`allowedHosts`: exact names or
 * addresses, or "*.domain" for any name under that domain). Otherwise any caller
 * could make Dispatch send requests to an address of their choosing (SSRF).
 *
 * The URL must already be in its canonical form, and the legacy parser web-push
 * sends with must read the same host from it: two parsers that disagree about a
 * host ("\\", "@", encoded characters) are how allow-lists get bypassed.
 */
export function checkPushEndpoint(raw: unknown, allowedHosts: readonly string[]): EndpointCheck {
  if (typeof raw !== 'string' || raw.length === 0) return refuse('must be a URL');
  if (raw.length > MAX_ENDPOINT_LENGTH) return refuse(`must be at most ${MAX_ENDPOINT_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('must be a URL');
  }
  if (url.protocol !== 'https:') return refuse('must be an https URL');
  if (url.username !== '' || url.password !== '') return refuse('must not carry a user name or password');
  if (url.href !== raw) return refuse('must be written in its canonical form');
  const host = url.hostname;
  if (!isAllowedHost(host, allowedHosts)) return refuse('is not on a push service this site accepts');
  const legacy = legacyParse(raw);
  if (legacy.hostname !== unbracketed(host) || legacy.protocol !== 'https:') return refuse('must be written in its canonical form');
  return { ok: true, endpoint: raw };
}

/** Exactly a listed host, or a name under a listed "*.domain" (never the bare domain, never an address). */
export function isAllowedHost(host: string, allowedHosts: readonly string[]): boolean {
  const name = host.toLowerCase();
  return allowedHosts.some((allowed) => {
    if (!allowed.startsWith('*.')) return name === allowed;
    const domain = allowed.slice(1);
    return name.endsWith(domain) && name.length > domain.length && !isIpLiteral(name);
  });
}

function isIpLiteral(host: string): boolean {
  return host.startsWith('[') || /^[\d.]+$/.test(host);
}

function unbracketed(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function refuse(reason: string): EndpointCheck {
  return { ok: false, reason: `subscription.endpoint: ${reason}` };
}
