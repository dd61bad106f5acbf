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

/** POST /digests/run: an empty body (or none) means "now". */
export function parseRunDigests(body: unknown): ParseResult<RunDigestsCommand> {
  return parseWith(runBody, body ?? {}, { root: 'body' });
}

/** GET /digests/preview?email=&at= — a repeated parameter is refused rather than guessed at. */
export function parsePreviewDigest(query: unknown): ParseResult<PreviewDigestQuery> {
  return parseWith(previewQuery, query, { root: 'query' });
}
