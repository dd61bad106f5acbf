import { DateTime } from 'luxon';
import { z } from 'zod';
import { expected, formatZodError } from '../common/validation';
import { tagListSchema } from './tags';

/** Messages above this are refused before decoding: no article needs more. */
export const MAX_EVENT_BYTES = 64 * 1024;
const MAX_URL_LENGTH = 4096;
/** A DLQ reason travels in a Kafka header; keep it a line, not an essay. */
const MAX_REASON_LENGTH = 500;

const LINE_BREAKS_AND_CONTROLS = /[\p{Cc}\p{Zl}\p{Zp}]+/gu;
const CONTROLS_EXCEPT_NEWLINE_AND_TAB = /[^\P{Cc}\n\t]/gu;

/** Titles and names become subject lines and headers: one line, no control characters. */
function singleLine(value: string): string {
  return value.replace(LINE_BREAKS_AND_CONTROLS, ' ').trim();
}

/** Summaries keep their paragraphs; every other control character goes. */
function multiLine(value: string): string {
  return value.replace(/\r\n?/g, '\n').replace(CONTROLS_EXCEPT_NEWLINE_AND_TAB, '').trim();
}

const HTTP_URL_RULE = 'must be an absolute http(s) URL';

/**
 * An absolute http(s) URL, returned in the WHATWG serialisation (quotes and spaces
 * percent-encoded) so it is safe in an href. The raw text is checked first because
 * the URL parser silently drops tabs and newlines, and user:password@ is refused
 * because it makes a link look like it goes somewhere it does not.
 */
export const httpUrlSchema = z
  .string({ error: expected('an absolute http(s) URL') })
  .max(MAX_URL_LENGTH, `must be at most ${MAX_URL_LENGTH} characters`)
  .transform((raw, ctx) => {
    const url = /^https?:\/\/[^\s\p{Cc}/\\?#@][^\s\p{Cc}]*$/iu.test(raw) ? parseUrl(raw) : null;
    if (!url || url.hostname === '' || !/^https?:$/.test(url.protocol)) {
      ctx.addIssue({ code: 'custom', message: HTTP_URL_RULE });
      return z.NEVER;
    }
    if (url.username !== '' || url.password !== '') {
      ctx.addIssue({ code: 'custom', message: 'must not contain a user name or password' });
      return z.NEVER;
    }
    return url.href;
  });

function parseUrl(raw: string): URL | null {
  try {
    return new URL(raw);
  } catch {
    return null;
  }
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;
const ISO_RULE = 'must be an ISO-8601 date-time with Z or an offset, e.g. 2026-11-23T09:00:00Z';

/** An instant, so the offset is required: a bare local time would depend on the server's zone. */
export const isoInstantSchema = z.string({ error: expected('an ISO-8601 date-time') }).transform((raw, ctx) => {
  const parsed = ISO_DATE_TIME.test(raw) ? DateTime.fromISO(raw, { setZone: true }) : null;
  if (!parsed?.isValid) {
    ctx.addIssue({ code: 'custom', message: ISO_RULE });
    return z.NEVER;
  }
  return parsed.toJSDate();
});

/**
 * JSON can spell a lone UTF-16 surrogate ("\ud800"), which no UTF-8 text can hold:
 * PostgreSQL refuses it, so such a value would fail at the database instead of here.
 */
const UNPAIRED_SURROGATE = /\p{Cs}/u;
const WELL_FORMED_RULE = 'must be valid Unicode text (no unpaired surrogate)';
const wellFormed = (value: string) => !UNPAIRED_SURROGATE.test(value);

function text(label: string, bounds: { max: number }, clean: (value: string) => string) {
  return z
    .string({ error: expected(label) })
    .refine(wellFormed, WELL_FORMED_RULE)
    .transform(clean)
    .pipe(
      z
        .string()
        .min(1, 'must not be blank')
        .max(bounds.max, `must be at most ${bounds.max} characters`),
    );
}

/** Producers often send null for "not set"; it means the same as leaving the field out. */
function optionalText(label: string, bounds: { max: number }, clean: (value: string) => string) {
  return z
    .string({ error: expected(label) })
    .refine(wellFormed, WELL_FORMED_RULE)
    .nullish()
    .transform((value) => {
      const cleaned = value == null ? '' : clean(value);
      return cleaned === '' ? undefined : cleaned;
    })
    .pipe(z.string().max(bounds.max, `must be at most ${bounds.max} characters`).optional());
}

/** An article's id, wherever one is given (an event, POST /alerts): what PostgreSQL can store and a log line can show. */
export const articleIdSchema = z
  .string({ error: expected('a string of 1 to 200 characters') })
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .refine((id) => !/\p{Cc}/u.test(id), 'must not contain control characters')
  .refine(wellFormed, WELL_FORMED_RULE)
  .refine((id) => id.trim() !== '', 'must not be blank');

/**
 * The one schema of an article event (CONTRACT.md "Article events"), used by the Kafka
 * consumer and by POST /alerts for an inline article. Unknown fields are refused so a
 * misspelt or misplaced field never passes silently.
 */
export const articleEventSchema = z.strictObject(
  {
    id: articleIdSchema,
    title: text('a string of 1 to 500 characters', { max: 500 }, singleLine),
    url: httpUrlSchema,
    summary: optionalText('a string of at most 2000 characters', { max: 2000 }, multiLine),
    tags: tagListSchema({ min: 1, max: 20 }),
    publishedAt: isoInstantSchema,
    /** The CMS's revision time: decides which of two versions of an article is stale. */
    updatedAt: isoInstantSchema.optional(),
    author: optionalText('a string of at most 200 characters', { max: 200 }, singleLine),
    imageUrl: httpUrlSchema.nullish().transform((value) => value ?? undefined),
    breaking: z
      .boolean({ error: expected('true or false') })
      .nullish()
      .transform((value) => value ?? false),
  },
  { error: expected('a JSON object') },
);

export type ArticleEvent = z.output<typeof articleEventSchema>;
export type ArticleEventInput = z.input<typeof articleEventSchema>;

export type DecodeResult = { ok: true; article: ArticleEvent } | { ok: false; reason: string };

/**
 * Kafka message value → article, or the reason it cannot be one (for the DLQ header).
 * Never throws: a poison message must not stop the consumer.
 */
export function decodeArticleEvent(value: Buffer | null): DecodeResult {
  try {
    return decode(value);
  } catch {
    return reject('value: could not be decoded');
  }
}

/** The same rules for a value that is already parsed JSON (an HTTP body's `article`). */
export function parseArticleEvent(value: unknown): DecodeResult {
  const result = articleEventSchema.safeParse(value);
  return result.success
    ? { ok: true, article: result.data }
    : reject(formatZodError(result.error, { root: 'value' }));
}

function decode(value: Buffer | null): DecodeResult {
  if (value === null || value === undefined) return reject('value: missing (null message value)');
  if (value.length > MAX_EVENT_BYTES) return reject(`value: larger than ${MAX_EVENT_BYTES} bytes`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(value);
  } catch {
    return reject('value: not valid UTF-8');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return reject('value: not valid JSON');
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return reject('value: must be a JSON object');
  }
  return parseArticleEvent(json);
}

function reject(reason: string): DecodeResult {
  return {
    ok: false,
    reason: reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH - 1)}…` : reason,
  };
}
