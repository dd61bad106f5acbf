import { z } from 'zod';
import { isValidTag, normalizeTag } from '../articles/tags';
import { expected, ParseResult, parseWith } from '../common/validation';

export const SEARCH_DEFAULT_LIMIT = 10;
export const SEARCH_MAX_LIMIT = 50;
/** Titles are at most 500 characters; a longer needle can never match one. */
const MAX_QUERY_LENGTH = 500;

/**
 * What GET /articles/search looks for. An empty text lists the newest articles.
 * `tag` is set only when the text is also a valid tag, so "#AINews" finds articles
 * tagged `ainews`; `titlePattern` is an ILIKE pattern in which the editor's own
 * `%`, `_` and `\` are literal characters.
 */
export interface ArticleSearch {
  text: string;
  titlePattern: string | null;
  tag: string | null;
  limit: number;
}

const limitSchema = z
  .string({ error: expected(`an integer from 1 to ${SEARCH_MAX_LIMIT}`) })
  .regex(/^\d{1,3}$/, `must be an integer from 1 to ${SEARCH_MAX_LIMIT}`)
  .transform(Number)
  .refine((n) => n >= 1 && n <= SEARCH_MAX_LIMIT, `must be an integer from 1 to ${SEARCH_MAX_LIMIT}`);

const searchQuerySchema = z.object({
  q: z
    .string({ error: expected('a single text value') })
    .max(MAX_QUERY_LENGTH, `must be at most ${MAX_QUERY_LENGTH} characters`)
    // No title or id holds one, and PostgreSQL refuses a NUL in any text parameter.
    .refine((text) => !/\p{Cc}/u.test(text), 'must not contain control characters')
    .optional(),
  limit: limitSchema.optional(),
});

/** GET /articles/search?q=&limit= — a repeated parameter is refused rather than guessed at. */
export function parseArticleSearch(query: unknown): ParseResult<ArticleSearch> {
  const parsed = parseWith(searchQuerySchema, query ?? {}, { root: 'query' });
  if (!parsed.ok) return parsed;
  const text = (parsed.data.q ?? '').trim();
  const tag = normalizeTag(text);
  return {
    ok: true,
    data: {
      text,
      titlePattern: text === '' ? null : `%${escapeLikePattern(text)}%`,
      tag: text !== '' && isValidTag(tag) ? tag : null,
      limit: parsed.data.limit ?? SEARCH_DEFAULT_LIMIT,
    },
  };
}

/** Makes text match itself under LIKE/ILIKE with the default escape character `\`. */
export function escapeLikePattern(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}
