import { z } from 'zod';
import { ParseResult, parseWith } from '../common/validation';

const AT_FORMAT = 'must be an ISO-8601 instant with a time zone, e.g. 2026-11-24T07:00:00Z';
/** RFC 5321 caps a path at 256 octets; anything longer is not an address we hold. */
const MAX_EMAIL_LENGTH = 320;

const instant = z.iso.datetime({ offset: true, error: AT_FORMAT }).transform((value) => new Date(value));

const runBody = z.object({ at: instant.optional() }).strict();

const previewQuery = z.object({
  email: z.string().trim().min(1).max(MAX_EMAIL_LENGTH),
  at: instant.optional(),
});

export interface RunDigestsCommand {
  /** Absent: now. */
  at?: Date;
}

export interface PreviewDigestQuery {
  email: string;
  /** Absent: the reader's next digest. */
  at?: Date;
}

/**
 * How far ahead a manual run may reach. A run moves every due reader's schedule past
 * its instant, so a run far ahead would silently skip their real digests until then.
 */
export const MAX_RUN_AHEAD_MS = 7 * 24 * 60 * 60 * 1000;

/** POST /digests/run: an empty body (or none) means "now"; an instant more than 7 days after `now` is refused. */
export function parseRunDigests(body: unknown, now: Date): ParseResult<RunDigestsCommand> {
  const parsed = parseWith(runBody, body ?? {}, { root: 'body' });
  if (!parsed.ok || parsed.data.at === undefined) return parsed;
  const latest = new Date(now.getTime() + MAX_RUN_AHEAD_MS);
  if (parsed.data.at.getTime() > latest.getTime()) {
    return {
      ok: false,
      message: `at: must be at most 7 days ahead (no later than ${latest.toISOString()}): a run moves every due reader's schedule past it, skipping their digests until then`,
    };
  }
  return parsed;
}

/** GET /digests/preview?email=&at= — a repeated parameter is refused rather than guessed at. */
export function parsePreviewDigest(query: unknown): ParseResult<PreviewDigestQuery> {
  return parseWith(previewQuery, query, { root: 'query' });
}
