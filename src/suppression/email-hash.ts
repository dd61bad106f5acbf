import { createHash } from 'node:crypto';
import { Prisma } from '../generated/prisma/client';

/**
 * What we keep of an address once its owner erased their data or it bounced:
 * enough to refuse it again, not enough to read it. Must match SUBSCRIBER_SUPPRESSED.
 */
export function emailHash(normalizedEmail: string): string {
  return createHash('sha256').update(normalizedEmail, 'utf8').digest('hex');
}

/**
 * SQL that is true when the address of the subscriber row aliased `s` is suppressed:
 * emailHash() computed by PostgreSQL. One definition for every query that asks.
 */
export const SUBSCRIBER_SUPPRESSED = Prisma.sql`EXISTS (SELECT 1 FROM "Suppression" x WHERE x."emailHash" = encode(sha256(convert_to(s."email", 'UTF8')), 'hex'))`;
