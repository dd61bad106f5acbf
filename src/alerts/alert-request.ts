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

export const ALERT_CHANNELS = ['email', 'push'] as const;
export type AlertChannel = (typeof ALERT_CHANNELS)[number];

/** An unknown channel is named back when it looks like a word, so a typo ("mail") is obvious; anything else is not echoed. */
const channelSchema = z.string({ error: expected('"email" or "push"') }).transform((value, ctx): AlertChannel => {
  if ((ALERT_CHANNELS as readonly string[]).includes(value)) return value as AlertChannel;
  const named = /^[A-Za-z0-9_-]{1,20}$/.test(value) ? `"${value}" is not a channel` : 'is not a channel';
  ctx.addIssue({ code: 'custom', message: `${named}; use "email" or "push"` });
  return z.NEVER;
});

const channelsSchema = z
  .array(channelSchema, { error: expected('a list of channels, e.g. ["email", "push"]') })
  .min(1, 'at least one channel ("email", "push")')
  .max(ALERT_CHANNELS.length * 2, 'at most the channels "email" and "push"')
  .transform((channels) => ALERT_CHANNELS.filter((channel) => channels.includes(channel)));

/** An ISO 8601 instant with its offset: a time without a zone would depend on the server's. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

const sendAtSchema = z
  .string({ error: expected('an ISO 8601 instant, e.g. "2026-11-24T07:00:00Z"') })
  .refine((value) => ISO_INSTANT.test(value) && !Number.isNaN(Date.parse(value)), 'must be an ISO 8601 instant with its offset, e.g. "2026-11-24T07:00:00Z"')
  .transform((value) => new Date(value));

const createAlertBodySchema = z
  .strictObject(
    {
      articleId: articleIdSchema.optional(),
      article: articleEventSchema.optional(),
      tags: audienceTagsSchema.optional(),
      resend: z.boolean({ error: expected('true or false') }).optional(),
      channels: channelsSchema.optional(),
      priority: z.enum(['major', 'minor']).optional(),
      test: z.boolean({ error: expected('true or false') }).optional(),
      sendAt: sendAtSchema.optional(),
    },
    { error: expected('a JSON object') },
  )
  .superRefine((body, ctx) => {
    if ((body.articleId === undefined) === (body.article === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of "articleId" or "article"' });
    }
  });

/** How an alert goes out (CONTRACT.md "Breaking alerts: what newsrooms need"); the defaults are a major alert on both channels, now. */
export interface AlertOptions {
  channels: AlertChannel[];
  priority: 'major' | 'minor';
  test: boolean;
  /** Absent: at once. */
  sendAt?: Date;
}

export const DEFAULT_ALERT_OPTIONS: AlertOptions = { channels: [...ALERT_CHANNELS], priority: 'major', test: false };

interface CreateAlertCommon {
  tags?: string[];
  resend: boolean;
  options: AlertOptions;
}

/** What POST /alerts asks for, once validated: the article by id, or inline to upsert first. */
export type CreateAlertRequest = ({ articleId: string } | { article: ArticleEvent }) & CreateAlertCommon;

export function parseCreateAlertRequest(body: unknown): ParseResult<CreateAlertRequest> {
  const parsed = parseWith(createAlertBodySchema, body ?? undefined, { root: 'body' });
  if (!parsed.ok) return parsed;
  const { articleId, article, tags, resend = false, channels = DEFAULT_ALERT_OPTIONS.channels, priority = 'major', test = false, sendAt } = parsed.data;
  const options: AlertOptions = { channels, priority, test, ...(sendAt ? { sendAt } : {}) };
  const common = { ...(tags ? { tags } : {}), resend, options };
  return { ok: true, data: article ? { article, ...common } : { articleId: articleId as string, ...common } };
}

/** How far ahead an alert can be scheduled. */
export const MAX_SCHEDULE_AHEAD_MS = 7 * 24 * 3600_000;

/** Why `sendAt` cannot be accepted at `now`, or null: it must be in the future and at most 7 days ahead. */
export function sendAtProblem(sendAt: Date, now: Date): string | null {
  if (sendAt.getTime() <= now.getTime()) return 'sendAt: must be in the future (leave it out to send at once)';
  if (sendAt.getTime() - now.getTime() > MAX_SCHEDULE_AHEAD_MS) return 'sendAt: must be at most 7 days ahead';
  return null;
}

/** Idempotency-Key: 1 to 200 printable ASCII characters. */
const IDEMPOTENCY_KEY = /^[\x20-\x7e]{1,200}$/;

/** The Idempotency-Key header: absent (null), a key, or why it is refused. */
export function parseIdempotencyKey(header: unknown): ParseResult<string | null> {
  if (header === undefined) return { ok: true, data: null };
  if (typeof header === 'string' && IDEMPOTENCY_KEY.test(header)) return { ok: true, data: header };
  return { ok: false, message: 'Idempotency-Key: must be 1 to 200 printable ASCII characters' };
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
