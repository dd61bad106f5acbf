import { z } from 'zod';
import { expected } from '../common/validation';

/**
 * A normalised tag: 1–50 letters, digits and '-'. "Letters" are Unicode letters so
 * tags in any script work; combining marks count as part of a letter because scripts
 * such as Devanagari cannot spell a word without them. Spaces, punctuation, control
 * and invisible format characters (zero-width joiners, bidi overrides) are refused,
 * which keeps tags safe in headers, URLs and HTML.
 */
export const TAG_PATTERN = /^[\p{L}\p{M}\p{N}-]{1,50}$/u;

export const TAG_RULE = 'must be 1 to 50 letters, digits or "-" (an optional leading "#" is dropped)';

/**
 * Trims, lower-cases and drops one leading '#', so `#AINews` and `ainews` are one
 * tag. NFC first, so a composed and a decomposed "é" are one tag too.
 */
export function normalizeTag(raw: string): string {
  const lower = raw.normalize('NFC').trim().toLowerCase();
  return lower.startsWith('#') ? lower.slice(1) : lower;
}

export function isValidTag(tag: string): boolean {
  return TAG_PATTERN.test(tag);
}

/** Normalises each tag and drops repeats, keeping the first occurrence's position. */
export function normalizeTags(list: readonly string[]): string[] {
  return [...new Set(list.map(normalizeTag))];
}

/** One tag in, its normalised form out; anything else is refused with the rule. */
export const tagSchema = z
  .string({ error: expected('a string') })
  .transform(normalizeTag)
  .refine(isValidTag, TAG_RULE);

/**
 * A list of tags: the bounds apply to the list as sent (so 21 tags are refused even
 * if some repeat), the output is normalised and free of repeats.
 */
export function tagListSchema(bounds: { min: number; max: number }) {
  const plural = (n: number) => (n === 1 ? 'tag' : 'tags');
  return z
    .array(tagSchema, { error: expected('a list of tags') })
    .min(bounds.min, `at least ${bounds.min} ${plural(bounds.min)}`)
    .max(bounds.max, `at most ${bounds.max} ${plural(bounds.max)}`)
    .transform((tags) => normalizeTags(tags));
}
