import { createHash } from 'node:crypto';
import { Prisma } from '../generated/prisma/client';

/**
 * The mailbox an address reaches, as suppression, erasure and the per-mailbox rate
 * limit count it: letters case-folded and a `+suffix` of the local part removed, so
 * "Ann+news@Example.com" and "ann@example.com" are one reader's inbox. Addresses are
 * ASCII by then (normalizeEmailAddress), so folding matches PostgreSQL's lower().
 * A leading '+' is part of the name, not a suffix. Must match dispatch_mailbox() in SQL.
 */
export function mailboxOf(address: string): string {
  const at = address.lastIndexOf('@');
  const local = at < 0 ? address : address.slice(0, at);
  const domain = at < 0 ? '' : address.slice(at);
  const plus = local.indexOf('+', 1);
  return `${plus > 0 ? local.slice(0, plus) : local}${domain}`.toLowerCase();
}

/**
 * What we keep of an address once its owner erased their data or it bounced: the
 * hash of its mailbox, enough to refuse every spelling of it again, not enough to
 * read it. Also the key of per-mailbox counting. Must match SUBSCRIBER_SUPPRESSED.
 */
export function emailHash(address: string): string {
  return sha256Hex(mailboxOf(address));
}

/**
 * Suppression rows written before addresses were folded hold the hash of the address
 * exactly as typed; the ones whose address we still had were re-keyed by migration,
 * the others (erased readers) can only be matched this way.
 */
export function addressAsTypedHash(address: string): string {
  return sha256Hex(address);
}

/** Every hash under which a suppression of this address may be stored. */
export function suppressionHashes(address: string): string[] {
  return [...new Set([emailHash(address), addressAsTypedHash(address)])];
}

/** SQL true when the given address (a parameter) is suppressed, under either hash. */
export function addressSuppressed(address: string): Prisma.Sql {
  return Prisma.sql`EXISTS (SELECT 1 FROM "Suppression" x WHERE x."emailHash" IN (${Prisma.join(suppressionHashes(address))}))`;
}

/**
 * SQL that is true when the address of the subscriber row aliased `s` is suppressed:
 * emailHash() and addressAsTypedHash() computed by PostgreSQL. One definition for
 * every query that asks; it has no parameters, so it can also be inlined as text.
 */
export const SUBSCRIBER_SUPPRESSED = Prisma.sql`EXISTS (SELECT 1 FROM "Suppression" x WHERE x."emailHash" IN (dispatch_mailbox_hash(s."email"), encode(sha256(convert_to(s."email", 'UTF8')), 'hex')))`;

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
