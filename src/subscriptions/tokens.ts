import { createHmac, timingSafeEqual } from 'node:crypto';

export const TOKEN_PURPOSES = ['confirm', 'preferences', 'unsubscribe', 'push'] as const;
/**
 * A purpose is encoded by its position here, inside every token already sent, so a
 * position is never reused: 3 was "resubscribe", a link that undid an unsubscribe
 * without a new opt-in, and tokens carrying it no longer decode (CONTRACT.md, Consent).
 * 'push' signs a push subscription's id.
 */
const PURPOSE_CODES: readonly (TokenPurpose | null)[] = ['confirm', 'preferences', 'unsubscribe', null, 'push'];
export type TokenPurpose = (typeof TOKEN_PURPOSES)[number];

export interface TokenPayload {
  purpose: TokenPurpose;
  subscriberId: string;
  /** The subscriber's tokenVersion when signed: bumping it revokes every older token. */
  version: number;
  /** Confirm links expire; preference and unsubscribe links live until revoked. */
  expiresAt?: Date;
}

export type TokenFailure = 'malformed' | 'bad-signature' | 'expired' | 'wrong-purpose';
export type TokenVerification = { ok: true; payload: TokenPayload } | { ok: false; reason: TokenFailure };

/*
 * Tokens go in URLs and in the List-Unsubscribe header, so they are packed in binary
 * rather than JSON (51 characters, 56 with an expiry):
 *
 *   format (1) | purpose + flags (1) | version uint32 (4) | [expiry, unix seconds uint32 (4)]
 *   | subscriber id: uuid (16) or [length (1) + UTF-8] | HMAC-SHA256 truncated (16)
 *
 * 128 bits of MAC is far beyond what an online forger can try. The MAC input starts
 * with a context label so the same secret can never sign something that verifies here.
 */
const FORMAT = 1;
const MAC_BYTES = 16;
const MAC_CONTEXT = Buffer.from('dispatch-token\0', 'utf8');
const HAS_EXPIRY = 0x10;
const RAW_ID = 0x20;
const PURPOSE_MASK = 0x0f;
const KNOWN_FLAGS = PURPOSE_MASK | HAS_EXPIRY | RAW_ID;
const MAX_UINT32 = 0xffff_ffff;
const MAX_RAW_ID_BYTES = 255;
/** Longer input is refused before decoding: no token of ours is anywhere near this. */
const MAX_TOKEN_LENGTH = 512;
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export function signToken(secret: string | Buffer, payload: TokenPayload): string {
  const body = encodeBody(payload);
  return Buffer.concat([body, mac(secret, body)]).toString('base64url');
}

/**
 * Checks format, signature, purpose and expiry, in that order, and never throws on
 * what a reader or attacker can send. The caller must still compare payload.version
 * with the subscriber's current tokenVersion: that is what makes revocation work.
 */
export function verifyToken(
  secret: string | Buffer,
  token: unknown,
  expectedPurpose: TokenPurpose,
  now: Date,
): TokenVerification {
  const key = requireSecret(secret);
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !BASE64URL.test(token)) {
    return { ok: false, reason: 'malformed' };
  }
  const bytes = Buffer.from(token, 'base64url');
  // Buffer decoding is lenient (it ignores stray trailing bits): insist on one spelling per token.
  if (bytes.toString('base64url') !== token || bytes.length <= MAC_BYTES) return { ok: false, reason: 'malformed' };

  const body = bytes.subarray(0, bytes.length - MAC_BYTES);
  const payload = decodeBody(body);
  if (!payload) return { ok: false, reason: 'malformed' };
  if (!timingSafeEqual(bytes.subarray(bytes.length - MAC_BYTES), mac(key, body))) {
    return { ok: false, reason: 'bad-signature' };
  }
  if (payload.purpose !== expectedPurpose) return { ok: false, reason: 'wrong-purpose' };
  if (payload.expiresAt && now.getTime() >= payload.expiresAt.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, payload };
}

function encodeBody(payload: TokenPayload): Buffer {
  const purposeCode = PURPOSE_CODES.indexOf(payload.purpose);
  if (purposeCode < 0) throw new RangeError(`unknown token purpose: ${String(payload.purpose)}`);
  if (!Number.isInteger(payload.version) || payload.version < 0 || payload.version > MAX_UINT32) {
    throw new RangeError('token version must be an integer from 0 to 2^32-1');
  }
  if (payload.purpose === 'confirm' && !payload.expiresAt) {
    throw new RangeError('a confirm token must expire');
  }

  const head = Buffer.alloc(6);
  let flags = purposeCode;
  head.writeUInt8(FORMAT, 0);
  head.writeUInt32BE(payload.version, 2);

  const parts: Buffer[] = [head];
  if (payload.expiresAt) {
    const seconds = Math.floor(payload.expiresAt.getTime() / 1000);
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_UINT32) {
      throw new RangeError('token expiry must be a valid date between 1970 and 2106');
    }
    const expiry = Buffer.alloc(4);
    expiry.writeUInt32BE(seconds, 0);
    parts.push(expiry);
    flags |= HAS_EXPIRY;
  }

  if (CANONICAL_UUID.test(payload.subscriberId)) {
    parts.push(Buffer.from(payload.subscriberId.replace(/-/g, ''), 'hex'));
  } else {
    const id = Buffer.from(payload.subscriberId, 'utf8');
    if (id.length === 0 || id.length > MAX_RAW_ID_BYTES) {
      throw new RangeError(`subscriber id must be 1 to ${MAX_RAW_ID_BYTES} bytes`);
    }
    parts.push(Buffer.from([id.length]), id);
    flags |= RAW_ID;
  }
  head.writeUInt8(flags, 1);
  return Buffer.concat(parts);
}

/** Null for anything that is not exactly the layout signToken writes. */
function decodeBody(body: Buffer): TokenPayload | null {
  if (body.length < 6 || body.readUInt8(0) !== FORMAT) return null;
  const flags = body.readUInt8(1);
  const purpose = PURPOSE_CODES[flags & PURPOSE_MASK];
  if ((flags & ~KNOWN_FLAGS) !== 0 || purpose === undefined || purpose === null) return null;
  const version = body.readUInt32BE(2);
  let offset = 6;

  let expiresAt: Date | undefined;
  if (flags & HAS_EXPIRY) {
    if (body.length < offset + 4) return null;
    expiresAt = new Date(body.readUInt32BE(offset) * 1000);
    offset += 4;
  }

  let subscriberId: string;
  if (flags & RAW_ID) {
    if (body.length < offset + 1) return null;
    const length = body.readUInt8(offset);
    offset += 1;
    if (length === 0 || body.length !== offset + length) return null;
    try {
      subscriberId = new TextDecoder('utf-8', { fatal: true }).decode(body.subarray(offset));
    } catch {
      return null;
    }
  } else {
    if (body.length !== offset + 16) return null;
    const hex = body.subarray(offset).toString('hex');
    subscriberId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  return expiresAt ? { purpose, subscriberId, version, expiresAt } : { purpose, subscriberId, version };
}

function mac(secret: string | Buffer, body: Buffer): Buffer {
  return createHmac('sha256', requireSecret(secret)).update(MAC_CONTEXT).update(body).digest().subarray(0, MAC_BYTES);
}

function requireSecret(secret: string | Buffer): string | Buffer {
  if (secret.length === 0) throw new RangeError('token secret must not be empty');
  return secret;
}
