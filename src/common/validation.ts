import type { z } from 'zod';

/** Longest path segment echoed back: keys come from untrusted input. */
const MAX_SEGMENT_LENGTH = 40;
const DEFAULT_MAX_ISSUES = 3;

type Issue = z.core.$ZodIssue;
type IssueInput = z.core.$ZodRawIssue;

export interface FormatOptions {
  /** Name used for an issue about the whole value (no path), e.g. "body" or "value". */
  root?: string;
  /** How many issues to spell out before "(and N more)". */
  maxIssues?: number;
}

/**
 * One short, human line for a failed parse, naming the field first:
 * `sendHour: must be an integer from 0 to 23`. Used for every 400 body and DLQ reason,
 * so it never echoes input values, and keys taken from the input are cut short and
 * stripped of control characters.
 */
export function formatZodError(error: z.ZodError, options: FormatOptions = {}): string {
  const root = options.root ?? 'body';
  const maxIssues = Math.max(1, options.maxIssues ?? DEFAULT_MAX_ISSUES);
  const lines = firstIssuePerField(error.issues).flatMap((issue) => describeIssue(issue, root));
  const shown = lines.slice(0, maxIssues).join('; ');
  const hidden = lines.length - maxIssues;
  return hidden > 0 ? `${shown} (and ${hidden} more)` : shown;
}

/**
 * Zod's default messages ("Invalid input: expected string, received undefined") are
 * written for developers. Pass this as the per-parse `error` option to get ones an API
 * user can act on; messages set on a schema still win over it.
 */
export function humanErrorMap(issue: IssueInput): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `must be ${article(issue.expected)}`;
    case 'too_small':
      return `must be at least ${issue.minimum}${unitOf(issue.origin)}`;
    case 'too_big':
      return `must be at most ${issue.maximum}${unitOf(issue.origin)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'invalid_format':
      return `must be a valid ${issue.format}`;
    default:
      return undefined;
  }
}

/**
 * A schema's type error: "is required" when the field is missing, otherwise
 * "must be <what>". Other issues keep their own messages.
 */
export function expected(what: string) {
  return (issue: { code?: string; input?: unknown }): string | undefined => {
    if (issue.code !== 'invalid_type') return undefined;
    return issue.input === undefined ? 'is required' : `must be ${what}`;
  };
}

export type ParseResult<T> = { ok: true; data: T } | { ok: false; message: string };

/** safeParse with human messages, folded into one line on failure. */
export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  options: FormatOptions = {},
): ParseResult<z.output<S>> {
  const result = schema.safeParse(value, { error: humanErrorMap });
  return result.success
    ? { ok: true, data: result.data }
    : { ok: false, message: formatZodError(result.error, options) };
}

export function formatPath(path: readonly PropertyKey[], root = 'body'): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? cleanKey(segment) : `.${cleanKey(segment)}`;
  }
  return out === '' ? root : out;
}

/**
 * Zod 4 runs length checks even after a type error (a string has a length too), so a
 * field can collect a second, misleading issue; the first one is the one to fix.
 */
function firstIssuePerField(issues: readonly Issue[]): Issue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    if (issue.code === 'unrecognized_keys') return true;
    const key = JSON.stringify(issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment)));
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function describeIssue(issue: Issue, root: string): string[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${formatPath([...issue.path, key], root)}: is not an allowed field`);
  }
  return [`${formatPath(issue.path, root)}: ${issue.message}`];
}

function cleanKey(key: PropertyKey): string {
  const text = String(typeof key === 'symbol' ? key.description : key).replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '?');
  return text.length > MAX_SEGMENT_LENGTH ? `${text.slice(0, MAX_SEGMENT_LENGTH)}…` : text;
}

function article(noun: string): string {
  if (noun === 'int') return 'an integer';
  return /^[aeiou]/i.test(noun) ? `an ${noun}` : `a ${noun}`;
}

function unitOf(origin: string): string {
  switch (origin) {
    case 'string':
      return ' characters';
    case 'array':
    case 'set':
      return ' items';
    default:
      return '';
  }
}
