import { createHash, timingSafeEqual } from 'node:crypto';

/** A key's public name in audit records: never the key, only a short digest of it. */
export function editorKeyId(key: string): string {
  return `key-${createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 8)}`;
}

/**
 * Finds the configured key matching the presented one. Both sides are hashed
 * to a fixed length first and every key is compared, so neither a key's
 * length nor its prefix, nor which key matched, shows in the timing.
 */
export function matchEditorKey(presented: string, keys: readonly string[]): string | null {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  const given = digest(presented);
  let match: string | null = null;
  for (const key of keys) {
    if (timingSafeEqual(given, digest(key)) && match === null) match = key;
  }
  return match;
}

/** The key in an `Authorization: Bearer <key>` header, or null. */
export function bearerKey(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer ([\x21-\x7e]{1,512})$/.exec(header.trim());
  return match ? match[1] : null;
}
