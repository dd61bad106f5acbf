import { domainToASCII } from 'node:url';

/** RFC 5321's limit on a forward path, which is what an address must fit in. */
export const MAX_EMAIL_LENGTH = 254;
const MAX_LOCAL_PART_LENGTH = 64;
const MAX_DOMAIN_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;

/**
 * The dot-atom local part of RFC 5322, ASCII only. Quoted local parts ("a b"@host),
 * comments and address lists are refused outright: no real reader needs them and
 * they are how header and recipient injection is smuggled in.
 */
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const TOP_LEVEL = /^([a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

export type EmailAddressResult = { ok: true; email: string } | { ok: false; reason: string };

/**
 * Validates an address a reader typed and returns its normalised form, so that one
 * reader is one subscriber: surrounding whitespace trimmed, the domain lower-cased
 * (and an internationalised domain in its ASCII form). The local part keeps its case:
 * RFC 5321 lets a mail server tell "Ann" from "ann".
 */
export function normalizeEmailAddress(raw: unknown): EmailAddressResult {
  if (typeof raw !== 'string') return { ok: false, reason: 'must be a string' };
  const trimmed = raw.trim();
  if (trimmed.length === 0) return { ok: false, reason: 'must not be empty' };
  if (trimmed.length > MAX_EMAIL_LENGTH) return { ok: false, reason: `must be at most ${MAX_EMAIL_LENGTH} characters` };

  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || at === trimmed.length - 1) return invalid();
  const local = trimmed.slice(0, at);
  // Encoded-word look-alikes (=?utf-8?…?=) have no business in an address.
  if (local.length > MAX_LOCAL_PART_LENGTH || !LOCAL_PART.test(local) || local.includes('=?')) return invalid();

  const domain = asciiDomain(trimmed.slice(at + 1));
  if (!domain) return invalid();
  const email = `${local}@${domain}`;
  return email.length > MAX_EMAIL_LENGTH ? { ok: false, reason: `must be at most ${MAX_EMAIL_LENGTH} characters` } : { ok: true, email };
}

function asciiDomain(raw: string): string | null {
  // domainToASCII accepts far more than a mail domain (IP literals, '%', '_'): it
  // only converts; the label rules below decide.
  if (!/^[\p{L}\p{M}\p{N}.-]+$/u.test(raw)) return null;
  const domain = domainToASCII(raw.normalize('NFC')).toLowerCase();
  if (domain === '' || domain.length > MAX_DOMAIN_LENGTH) return null;
  const labels = domain.split('.');
  if (labels.length < 2) return null;
  if (!labels.every((label) => label.length <= MAX_LABEL_LENGTH && LABEL.test(label))) return null;
  return TOP_LEVEL.test(labels[labels.length - 1]) ? domain : null;
}

function invalid(): EmailAddressResult {
  return { ok: false, reason: 'must be a valid email address' };
}
