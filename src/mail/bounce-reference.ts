import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The envelope sender of every email, bounces+<reference>@BOUNCE_DOMAIN, names the delivery
 * it belongs to in a way only we can produce: the delivery id and a MAC of it, both in
 * lower-case base32 (RFC 4648 alphabet), so a relay or mailbox that changes the letter case
 * of the local part changes nothing we read. 80 bits of MAC make guessing hopeless.
 */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const MAC_BYTES = 10;
const PREFIX = 'bounces+';
const REFERENCE = /^([a-z2-7]{1,13})-([a-z2-7]{16})$/;

export class BounceReferences {
  private readonly key: Buffer;

  constructor(
    secret: string,
    readonly domain: string,
  ) {
    // A key of its own, derived from TOKEN_SECRET: a bounce reference can never pass for a reader token.
    this.key = createHmac('sha256', secret).update('dispatch bounce reference v1').digest();
  }

  /** bounces+<id>-<mac>@domain for this delivery. */
  addressFor(deliveryId: bigint): string {
    const id = base32(bigintBytes(deliveryId));
    return `${PREFIX}${id}-${base32(this.mac(id))}@${this.domain}`;
  }

  /** The delivery an address (or its local part) names, or null when it is not one of ours or does not verify. */
  deliveryOf(address: string): bigint | null {
    const at = address.lastIndexOf('@');
    const local = (at === -1 ? address : address.slice(0, at)).trim().toLowerCase();
    if (!local.startsWith(PREFIX)) return null;
    const match = REFERENCE.exec(local.slice(PREFIX.length));
    if (!match) return null;
    const [, id, mac] = match;
    const expected = Buffer.from(base32(this.mac(id)), 'latin1');
    const given = Buffer.from(mac, 'latin1');
    if (!timingSafeEqual(expected, given)) return null;
    const bytes = unbase32(id);
    return bytes === null ? null : bytesBigint(bytes);
  }

  /** Whether an address is one the bounce listener takes mail for: bounces+…@domain, case-insensitively. */
  isBounceMailbox(address: string): boolean {
    const lower = address.toLowerCase();
    return lower.startsWith(PREFIX) && lower.endsWith(`@${this.domain}`);
  }

  private mac(id: string): Buffer {
    return createHmac('sha256', this.key).update(id).digest().subarray(0, MAC_BYTES);
  }
}

function bigintBytes(value: bigint): Buffer {
  if (value < 0n) throw new RangeError('delivery ids are positive');
  const hex = value.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
}

function bytesBigint(bytes: Buffer): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${bytes.toString('hex')}`);
}

export function base32(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** null for a string that is not the canonical encoding of whole bytes (so one id has one spelling). */
export function unbase32(text: string): Buffer | null {
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of text) {
    const digit = ALPHABET.indexOf(char);
    if (digit === -1) return null;
    value = (value << 5) | digit;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
    value &= (1 << bits) - 1;
  }
  if (value !== 0 || bits >= 5) return null;
  return Buffer.from(bytes);
}
