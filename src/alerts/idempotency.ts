import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every level, so two bodies that mean the same thing
 * (keys in another order) have the same text. Dates become their ISO instant, as
 * JSON.stringify writes them.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, raw: unknown) => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
    const object = raw as Record<string, unknown>;
    return Object.fromEntries(Object.keys(object).sort().map((key) => [key, object[key]]));
  });
}

/** What an Idempotency-Key remembers of the request it was first used with: the hash of its parsed body. */
export function requestHash(parsedBody: unknown): string {
  return createHash('sha256').update(canonicalJson(parsedBody)).digest('hex');
}

/** A key already in use, as stored: its body's hash and, once the first request answered, that answer. */
export interface RememberedRequest<T> {
  bodyHash: string;
  response: T | null;
}

/**
 * What a request carrying a key already in use gets: the first answer again (same body),
 * a conflict (another body: nothing is done), or "wait" while the first is still running.
 */
export type Verdict<T> = { kind: 'replay'; response: T } | { kind: 'conflict' } | { kind: 'in-progress' };

export function idempotencyVerdict<T>(remembered: RememberedRequest<T>, bodyHash: string): Verdict<T> {
  if (remembered.bodyHash !== bodyHash) return { kind: 'conflict' };
  return remembered.response === null ? { kind: 'in-progress' } : { kind: 'replay', response: remembered.response };
}
