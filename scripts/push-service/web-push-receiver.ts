import { execFileSync } from 'node:child_process';
import { createECDH, createPublicKey, ECDH, KeyObject, randomBytes, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decrypt } from 'http_ece';

/**
 * The receiving end of the Web Push protocol, as a push service and a browser see it:
 * keys made the way a browser makes them, RFC 8291 decryption (through http_ece, not
 * web-push, so the sender's library does not check itself) and RFC 8292 VAPID checks.
 * Shared by the tests' push service, the alert benchmark's and the demo's.
 */

/** A browser's side of a push subscription: its P-256 key pair and 16-byte auth secret. */
export interface BrowserKeys {
  ecdh: ECDH;
  /** What the browser hands the site: URL-safe base64 of the public key and of the auth secret. */
  p256dh: string;
  auth: string;
}

export function aBrowserKeyPair(): BrowserKeys {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { ecdh, p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') };
}

/** The same keys again from the browser's private key and auth secret (URL-safe base64), e.g. read back from a file. */
export function browserKeysFrom(privateKey: string, auth: string): BrowserKeys {
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(Buffer.from(privateKey, 'base64url'));
  return { ecdh, p256dh: ecdh.getPublicKey().toString('base64url'), auth };
}

/** Decrypts an aes128gcm push body (RFC 8291) with the receiving browser's keys; throws when it does not decrypt. */
export function decryptPush(body: Buffer, keys: Pick<BrowserKeys, 'ecdh' | 'auth'>): string {
  return decrypt(body, { version: 'aes128gcm', privateKey: keys.ecdh, authSecret: keys.auth }).toString('utf8');
}

export interface VapidClaims {
  aud: string;
  exp: number;
  sub: string;
}

/**
 * `Authorization: vapid t=<JWT>, k=<public key>`: the JWT must be ES256-signed by
 * `publicKey` and name it. Returns its claims, or null when anything is off.
 */
export function verifyVapid(header: string | string[] | undefined, publicKey: string): VapidClaims | null {
  const match = typeof header === 'string' ? /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header) : null;
  if (!match || match[2] !== publicKey) return null;
  const [head, claims, signature] = match[1].split('.');
  if (!head || !claims || !signature) return null;
  try {
    const valid = verify('sha256', Buffer.from(`${head}.${claims}`), { key: vapidKeyObject(publicKey), dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
    const alg = (JSON.parse(Buffer.from(head, 'base64url').toString()) as { alg?: string }).alg;
    return valid && alg === 'ES256' ? (JSON.parse(Buffer.from(claims, 'base64url').toString()) as VapidClaims) : null;
  } catch {
    return null;
  }
}

function vapidKeyObject(publicKey: string): KeyObject {
  const raw = Buffer.from(publicKey, 'base64url');
  return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33).toString('base64url') }, format: 'jwk' });
}

/** A certificate for 127.0.0.1 made with openssl for one run: what a loopback push service serves. */
export function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'push-cert-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '30',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
