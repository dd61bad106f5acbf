import { z } from 'zod';
import { ArticleEvent, articleEventSchema, articleIdSchema } from '../articles/article-event';
import { normalizeTags, tagListSchema, tagSchema } from '../articles/tags';
import { expected, ParseResult, parseWith } from '../common/validation';

/** An alert may name up to this many tags; the same bound as an article's. */
const MAX_AUDIENCE_TAGS = 20;

/**
 * The editor's audience override: replaces the article's own tags, so it can narrow
 * (a subset) or widen (other tags) who gets the alert.
 */
const audienceTagsSchema = tagListSchema({ min: 1, max: MAX_AUDIENCE_TAGS });

const createAlertBodySchema = z
  .strictObject(
    {
      articleId: articleIdSchema.optional(),
      article: articleEventSchema.optional(),
      tags: audienceTagsSchema.optional(),
      resend: z.boolean({ error: expected('true or false') }).optional(),
    },
    { error: expected('a JSON object') },
  )
  .superRefine((body, ctx) => {
    if ((body.articleId === undefined) === (body.article === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of "articleId" or "article"' });
    }
  });

/** What POST /alerts asks for, once validated: the article by id, or inline to upsert first. */
export type CreateAlertRequest =
  | { articleId: string; tags?: string[]; resend: boolean }
  | { article: ArticleEvent; tags?: string[]; resend: boolean };

export function parseCreateAlertRequest(body: unknown): ParseResult<CreateAlertRequest> {
  const parsed = parseWith(createAlertBodySchema, body ?? undefined, { root: 'body' });
  if (!parsed.ok) return parsed;
  const { articleId, article, tags, resend = false } = parsed.data;
  const common = { ...(tags ? { tags } : {}), resend };
  return { ok: true, data: article ? { article, ...common } : { articleId: articleId as string, ...common } };
}

export interface AlertPreviewRequest {
  articleId: string;
  tags?: string[];
}

/** Query values arrive as a string, a repeated parameter (array) or not at all; commas separate tags too. */
const queryTagsSchema = z
  .union([z.string(), z.array(z.string())], { error: expected('a comma-separated list of tags') })
  .transform((value) => (Array.isArray(value) ? value : [value]).flatMap((part) => part.split(',')).filter((tag) => tag.trim() !== ''))
  .pipe(z.array(tagSchema).max(MAX_AUDIENCE_TAGS, `at most ${MAX_AUDIENCE_TAGS} tags`))
  .transform(normalizeTags);

const previewQuerySchema = z.object({ articleId: articleIdSchema, tags: queryTagsSchema.optional() });

/** GET /alerts/preview?articleId=&tags=a,b (or tags=a&tags=b). An empty tags value means "the article's tags". */
export function parseAlertPreviewRequest(query: unknown): ParseResult<AlertPreviewRequest> {
  const parsed = parseWith(previewQuerySchema, query ?? {}, { root: 'query' });
  if (!parsed.ok) return parsed;
  const { articleId, tags } = parsed.data;
  return { ok: true, data: tags && tags.length > 0 ? { articleId, tags } : { articleId } };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Alert ids are uuids; anything else is a malformed request rather than an unknown alert. */
export function isAlertId(value: string): boolean {
  return UUID.test(value);
}
