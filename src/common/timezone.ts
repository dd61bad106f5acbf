import { IANAZone } from 'luxon';

/**
 * IANA names only: letters, digits, '_', '-', '+' in '/'-separated parts, starting with
 * a letter. That keeps out bare offsets ('+02:00') and 'UTC+2'-style strings, which
 * newer Intl versions may accept but which have no daylight saving rules.
 */
const IANA_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;
const MAX_NAME_LENGTH = 64;

export function isValidTimeZone(name: unknown): name is string {
  return (
    typeof name === 'string' &&
    name.length <= MAX_NAME_LENGTH &&
    IANA_NAME.test(name) &&
    IANAZone.isValidZone(name)
  );
}

/**
 * The name to store for a valid zone: its usual spelling when only the case differs
 * ('europe/paris' → 'Europe/Paris'), otherwise the name as given. Not Intl's canonical
 * name, which can be an outdated alias ('Asia/Kolkata' → 'Asia/Calcutta').
 * Undefined for an invalid zone.
 */
export function normalizeTimeZone(name: string): string | undefined {
  if (!isValidTimeZone(name)) return undefined;
  const resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  return resolved.toLowerCase() === name.toLowerCase() ? resolved : name;
}
