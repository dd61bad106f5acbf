import { randomBytes } from 'node:crypto';
import { domainToASCII } from 'node:url';
import { asciiHtml, isAscii } from './escaping';
import { crlfLines } from './line-breaks';

/** One outgoing email, ready to be written as RFC 5322 MIME. */
export interface MailMessage {
  /** `Name <address>` or a bare address. */
  from: string;
  /** One recipient: a bare address or `Name <address>`. */
  to: string;
  subject: string;
  /** `<id@host>`; the same for every retry of one delivery. */
  messageId: string;
  date: Date;
  html: string;
  text: string;
  /** Extra headers, e.g. List-Unsubscribe and List-Unsubscribe-Post. */
  headers: Readonly<Record<string, string>>;
}

/** The message cannot be written safely (an invalid address or header): a permanent failure for it. */
export class InvalidMessageError extends Error {
  override readonly name = 'InvalidMessageError';
}

/** Headers buildMessage writes itself; a caller may not set them (or add recipients) through `headers`. */
const RESERVED_HEADERS = new Set([
  'from',
  'to',
  'cc',
  'bcc',
  'subject',
  'date',
  'message-id',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
]);

const CONTROL_RUN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;
const HEADER_NAME = /^[\x21-\x39\x3b-\x7e]+$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const ATEXT_PHRASE = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]+$/;
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+(\.[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+)*$/;
const DOMAIN = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const MESSAGE_ID = /^<?([\x21-\x3b\x3d\x3f-\x7e]+@[\x21-\x3b\x3d\x3f-\x7e]+)>?$/;
const MAX_LINE = 998;
const SOFT_LINE = 78;
/** 39 UTF-8 bytes make 52 base64 characters: `Subject: =?UTF-8?B?…?=` stays under 78 columns. */
const ENCODED_WORD_BYTES = 39;
const BASE64_LINE = 76;
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Writes a multipart/alternative message (plain text, then HTML), UTF-8. A part
 * that is ASCII with lines of at most 998 characters goes as it is (7bit); the
 * HTML gets there by writing any other character as a character reference, so
 * the usual digest is not inflated by a third and never base64-encoded or
 * decoded. Anything else (plain text with accents, an overlong line) is base64.
 * Every header value has CR, LF and other control characters removed first, so
 * no value can start a header or add a recipient; addresses are checked to be
 * exactly one mailbox. Built by hand because nodemailer's MIME composer costs
 * milliseconds per digest.
 */
export function buildMessage(message: MailMessage): Buffer {
  const boundary = nextBoundary();
  let head =
    `From: ${formatMailbox(message.from, 'From')}\r\n` +
    `To: ${formatMailbox(message.to, 'To')}\r\n` +
    `Subject: ${encodeUnstructured(message.subject, 'Subject: '.length)}\r\n` +
    `Date: ${formatDate(message.date)}\r\n` +
    `Message-ID: ${formatMessageId(message.messageId)}\r\n` +
    'MIME-Version: 1.0\r\n';
  for (const [name, value] of Object.entries(message.headers)) {
    head += formatExtraHeader(name, value);
  }
  head += `Content-Type: multipart/alternative;\r\n boundary="${boundary}"\r\n\r\n--${boundary}\r\n`;
  // Templates write ASCII HTML already (see CompiledTemplate); asciiHtml catches HTML from anywhere else.
  const html = sevenBitBody(message.html, boundary) ?? sevenBitBody(asciiHtml(message.html), boundary);
  const pieces = [
    head,
    ...part('text/plain', message.text, sevenBitBody(message.text, boundary)),
    `--${boundary}\r\n`,
    ...part('text/html', message.html, html),
    `--${boundary}--\r\n`,
  ];
  // Everything is ASCII (bodies 7bit or base64, headers encoded), so one character is one byte;
  // written piece by piece, the body strings are copied once, not joined into one string first.
  let length = 0;
  for (const piece of pieces) length += piece.length;
  const out = Buffer.allocUnsafe(length);
  let offset = 0;
  for (const piece of pieces) offset += out.write(piece, offset, 'latin1');
  return out;
}

/**
 * Unique per message without a random draw each time (that cost a measurable share
 * of an email's CPU); a part that contains it anyway is sent as base64, where a
 * line can never start with "--=_".
 */
const BOUNDARY_PREFIX = `=_dispatch_${randomBytes(9).toString('hex')}_`;
let boundaries = 0;

function nextBoundary(): string {
  boundaries = (boundaries + 1) % Number.MAX_SAFE_INTEGER;
  return BOUNDARY_PREFIX + boundaries.toString(36);
}

const CR = 13;

/**
 * The content as a 7bit body: ASCII without NUL, CRLF line ends, no line over 998
 * characters, never the boundary. null when it cannot be one (it then goes base64).
 * Each check is one native scan: this runs over every byte of every email, and
 * templates already write CRLF, so the usual HTML passes without being copied.
 */
function sevenBitBody(content: string, boundary: string): string | null {
  // A 7bit body carries ASCII without NUL. Two native scans: a regex for the same took five times as long.
  if (!isAscii(content) || content.includes('\0')) return null;
  let shape = lineShape(content);
  const lines = shape === 'bare' ? crlfLines(content) : content;
  if (lines !== content) shape = lineShape(lines);
  return shape === 'crlf' && !lines.includes(boundary) ? lines : null;
}

/** 'crlf': every line ends in CRLF and none is over 998 characters; 'bare': a lone CR or LF; 'overlong'. */
function lineShape(text: string): 'crlf' | 'bare' | 'overlong' {
  let lineFeeds = 0;
  let lineStart = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) {
    if (text.charCodeAt(at - 1) !== CR) return 'bare';
    if (at - 1 - lineStart > MAX_LINE) return 'overlong';
    lineFeeds += 1;
    lineStart = at + 1;
  }
  if (text.length - lineStart > MAX_LINE) return 'overlong';
  let carriageReturns = 0;
  for (let at = text.indexOf('\r'); at !== -1; at = text.indexOf('\r', at + 1)) carriageReturns += 1;
  return carriageReturns === lineFeeds ? 'crlf' : 'bare';
}

/** A part's header and body: 7bit when the content has a 7bit form, base64 otherwise. */
function part(contentType: string, content: string, sevenBit: string | null): string[] {
  // The CRLF added after the part belongs to the boundary line that follows.
  if (sevenBit !== null) return [`Content-Type: ${contentType}; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n`, sevenBit, '\r\n'];
  // Base64 too carries text in its canonical form, CRLF line breaks (RFC 2046 4.1.1).
  return [`Content-Type: ${contentType}; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(crlfLines(content))}`];
}

/**
 * UTF-8 bytes are written into one reused buffer: Buffer.from() allocates and, for
 * strings with any non-Latin-1 character, costs several times more. Safe because
 * buildMessage is synchronous.
 */
let scratch = Buffer.allocUnsafe(64 * 1024);

function base64Lines(content: string): string {
  // A UTF-16 code unit never takes more than 3 UTF-8 bytes.
  if (scratch.length < content.length * 3) scratch = Buffer.allocUnsafe(content.length * 3);
  const bytes = scratch.write(content, 0, 'utf8');
  const encoded = scratch.toString('base64', 0, bytes);
  let out = '';
  for (let start = 0; start < encoded.length; start += BASE64_LINE) {
    out += `${encoded.slice(start, start + BASE64_LINE)}\r\n`;
  }
  return out;
}

/** Removes what could end a header line or hide in one; runs of it become one space. */
export function headerSafe(value: string): string {
  return value.replace(CONTROL_RUN, ' ').trim();
}

/**
 * An unstructured value (the subject): left readable when it is short printable
 * ASCII, otherwise RFC 2047 encoded words. Text that merely looks like an encoded
 * word (`=?utf-8?…?=`) is encoded too, so a reader sees it literally.
 */
export function encodeUnstructured(value: string, firstLineOffset: number): string {
  const safe = headerSafe(value);
  if (PRINTABLE_ASCII.test(safe) && !safe.includes('=?')) {
    const folded = foldAtSpaces(safe, firstLineOffset);
    if (folded.split('\r\n').every((line) => line.length <= MAX_LINE)) return folded;
  }
  return encodedWords(safe);
}

function foldAtSpaces(value: string, offset: number): string {
  if (offset + value.length <= SOFT_LINE) return value;
  const words = value.split(' ');
  let out = words[0];
  let lineLength = offset + words[0].length;
  for (const word of words.slice(1)) {
    if (lineLength + 1 + word.length > SOFT_LINE) {
      out += `\r\n ${word}`;
      lineLength = 1 + word.length;
    } else {
      out += ` ${word}`;
      lineLength += 1 + word.length;
    }
  }
  return out;
}

/** Base64 encoded words of whole characters (never a split UTF-8 sequence), one per folded line. */
function encodedWords(value: string): string {
  const words: string[] = [];
  let chunk = '';
  let chunkBytes = 0;
  for (const char of value) {
    const bytes = Buffer.byteLength(char, 'utf8');
    if (chunkBytes + bytes > ENCODED_WORD_BYTES && chunk) {
      words.push(chunk);
      chunk = '';
      chunkBytes = 0;
    }
    chunk += char;
    chunkBytes += bytes;
  }
  if (chunk || words.length === 0) words.push(chunk);
  return words.map((word) => `=?UTF-8?B?${Buffer.from(word, 'utf8').toString('base64')}?=`).join('\r\n ');
}

/** Exactly one mailbox, `Name <local@domain>` or `local@domain`; anything else is refused. */
export function formatMailbox(value: string, header: string): string {
  const input = headerSafe(value);
  const angle = /^(.*)<([^<>]*)>$/s.exec(input);
  const address = formatAddress(angle ? angle[2] : input, header);
  const name = angle ? unquote(angle[1].trim()) : '';
  if (!name) return address;
  return `${formatPhrase(name)} <${address}>`;
}

function formatAddress(value: string, header: string): string {
  const address = value.trim();
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  const domain = at > 0 ? asciiDomain(address.slice(at + 1)) : '';
  if (at <= 0 || local.length > 64 || !LOCAL_PART.test(local) || !DOMAIN.test(domain)) {
    throw new InvalidMessageError(`${header} is not a single valid address`);
  }
  return `${local}@${domain}`;
}

function asciiDomain(domain: string): string {
  return PRINTABLE_ASCII.test(domain) ? domain : domainToASCII(domain);
}

function unquote(name: string): string {
  const quoted = /^"(.*)"$/s.exec(name);
  return quoted ? quoted[1].replace(/\\(.)/g, '$1') : name;
}

function formatPhrase(name: string): string {
  if (ATEXT_PHRASE.test(name)) return name;
  if (PRINTABLE_ASCII.test(name) && !name.includes('=?')) return `"${name.replace(/(["\\])/g, '\\$1')}"`;
  return encodedWords(name);
}

export function formatMessageId(value: string): string {
  const match = MESSAGE_ID.exec(value.trim());
  if (!match) throw new InvalidMessageError('Message-ID must look like <id@host>');
  return `<${match[1]}>`;
}

function formatExtraHeader(name: string, value: string): string {
  if (!HEADER_NAME.test(name) || RESERVED_HEADERS.has(name.toLowerCase())) {
    throw new InvalidMessageError(`header ${JSON.stringify(name)} cannot be set`);
  }
  const safe = headerSafe(value);
  if (!PRINTABLE_ASCII.test(safe) || name.length + 2 + safe.length > MAX_LINE) {
    throw new InvalidMessageError(`header ${name} must be printable ASCII under ${MAX_LINE} characters`);
  }
  return `${name}: ${safe}\r\n`;
}

/** RFC 5322 date-time in UTC, e.g. `Tue, 24 Nov 2026 07:00:00 +0000`. */
export function formatDate(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new InvalidMessageError('Date is invalid');
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${DAYS[date.getUTCDay()]}, ${pad(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}
