import { createHash } from 'node:crypto';

/**
 * What we keep of an address once its owner erased their data or it bounced:
 * enough to refuse it again, not enough to read it. Must match the SQL in
 * DeliveriesRepository.claim: encode(sha256(convert_to(email, 'UTF8')), 'hex').
 */
export function emailHash(normalizedEmail: string): string {
  return createHash('sha256').update(normalizedEmail, 'utf8').digest('hex');
}
