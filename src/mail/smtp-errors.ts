import { SendFailure } from './mail-transport';

/**
 * Our own session is at fault (credentials, TLS policy, configuration), not the
 * recipient: treat as transient so the outbox backs off while an operator fixes it,
 * instead of failing (and eventually suppressing) every reader at once.
 */
const OWN_SIDE_CODES = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2', 'EREQUIRETLS', 'ECONFIG', 'ETLS']);

/** The message as addressed can never go out (no recipient, too many recipients): permanent, not the reader's fault. */
const UNSENDABLE_CODES = new Set(['EENVELOPE', 'EMAXRECIPIENTS']);

/**
 * RFC 3463 enhanced codes 5.1.x that say the destination address is bad:
 * 5.1.1 mailbox, 5.1.2 domain, 5.1.3 syntax, 5.1.6 moved, 5.1.10 null MX (RFC 7505).
 * 5.1.7 / 5.1.8 are about our sender address and say nothing about the reader.
 */
const BAD_ADDRESS_DETAILS = new Set([1, 2, 3, 6, 10]);

/** How servers that give no enhanced code say "this mailbox does not exist". */
const USER_UNKNOWN =
  /\b(?:(?:user|mailbox|recipient|address|account)s? (?:is )?(?:unknown|not found|does not exist|doesn't exist)|unknown (?:user|recipient|mailbox|address|local[- ]part)|no such (?:user|mailbox|recipient|address|account)|user not local|invalid (?:recipient|mailbox))\b/i;

const MAX_ERROR_LENGTH = 300;

interface NodemailerErrorFields {
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
  message?: unknown;
}

/**
 * Decides, in one place, what an SMTP failure means for the delivery:
 * - 4xx replies and connection errors (ECONNECTION, ETIMEDOUT, ESOCKET, ECONNRESET,
 *   EDNS, ETLS, …: no reply judged the message) → transient (retried with backoff);
 * - 503 (bad sequence of commands) → transient: the session was in the wrong state,
 *   a new connection can succeed;
 * - authentication and other own-side errors → transient (see OWN_SIDE_CODES);
 * - other 5xx replies → permanent, and a hard bounce when the address does not exist:
 *   enhanced status 5.1.1/5.1.2/5.1.3/5.1.6/5.1.10, or (without a specific enhanced
 *   code) 550/551/553 with "user unknown"-like text;
 * - 552 (mailbox full, message too large) is permanent but not a hard bounce: a full
 *   mailbox may empty and the address is real; repeated permanent failures are left
 *   to the caller's "a few in a row" suppression rule;
 * - anything unrecognised → transient, so a surprise never suppresses a reader; the
 *   outbox's attempt limit bounds the retries.
 */
export function classifySmtpError(error: unknown): SendFailure {
  const fields: NodemailerErrorFields = error !== null && typeof error === 'object' ? error : { message: String(error) };
  const code = typeof fields.code === 'string' ? fields.code : undefined;
  const responseCode = typeof fields.responseCode === 'number' ? fields.responseCode : undefined;
  const response = typeof fields.response === 'string' ? fields.response : undefined;
  const description = describe(code, responseCode, response ?? (typeof fields.message === 'string' ? fields.message : undefined));

  if (code !== undefined && OWN_SIDE_CODES.has(code)) return { status: 'transient', error: description };
  if (responseCode !== undefined && responseCode >= 400 && responseCode < 600) {
    if (responseCode < 500 || responseCode === 503) return { status: 'transient', error: description };
    return { status: 'permanent', error: description, hardBounce: isHardBounce(responseCode, response ?? '') };
  }
  if (code !== undefined && UNSENDABLE_CODES.has(code)) return { status: 'permanent', error: description, hardBounce: false };
  return { status: 'transient', error: description };
}

export function isHardBounce(responseCode: number, response: string): boolean {
  const enhanced = /^\d{3}[ -]([245])\.(\d{1,3})\.(\d{1,3})\b/m.exec(response) ?? /\b([245])\.(\d{1,3})\.(\d{1,3})\b/.exec(response);
  if (enhanced && enhanced[1] === '5') {
    const subject = Number(enhanced[2]);
    const detail = Number(enhanced[3]);
    if (subject === 1 && BAD_ADDRESS_DETAILS.has(detail)) return true;
    // Only the generic 5.0.0 / 5.1.0 leave room for the reply text to decide.
    if (!(detail === 0 && (subject === 0 || subject === 1))) return false;
  }
  return (responseCode === 550 || responseCode === 551 || responseCode === 553) && USER_UNKNOWN.test(response);
}

/** A reset (or broken pipe) means the server discarded data it had not read: our final dot among it. */
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE']);

/**
 * A failure after our final dot was handed to TCP. A reply still decides as
 * above; without one, the server may have queued the message before the
 * connection closed or its reply timed out (RFC 5321 §4.5.3.2, RFC 1047), so the
 * outcome is unknown — except after a reset, which a server only sends while
 * data it never read (our dot) is still in its buffer.
 */
export function classifyAfterFinalDot(error: unknown): SendFailure {
  const outcome = classifySmtpError(error);
  const fields: NodemailerErrorFields & { originalCode?: unknown } = error !== null && typeof error === 'object' ? error : {};
  if (typeof fields.responseCode === 'number') return outcome;
  if (typeof fields.originalCode === 'string' && RESET_CODES.has(fields.originalCode)) return outcome;
  return { status: 'unknown', error: outcome.error };
}

function describe(code: string | undefined, responseCode: number | undefined, text: string | undefined): string {
  const head = [code, responseCode].filter((part) => part !== undefined).join(' ');
  const body = redactAddresses((text ?? '').replace(/\s+/g, ' ').trim());
  const description = head && body ? `${head}: ${body}` : head || body || 'unknown SMTP error';
  return description.length > MAX_ERROR_LENGTH ? `${description.slice(0, MAX_ERROR_LENGTH - 1)}…` : description;
}

/** Servers echo the recipient ("<bob@example.com>: User unknown"); errors are stored and logged, addresses must not be. */
export function redactAddresses(text: string): string {
  return text.replace(/(?:"[^"]*"|[^\s<>()[\]"',;:]+)@[^\s<>()[\]"',;:]+/g, '[address]');
}
