/** One body part of a report: its content type (lower case) and its content as text. */
export interface ReportPart {
  type: string;
  body: string;
}

const IDENTITY_ENCODINGS = new Set(['', '7bit', '8bit', 'binary']);

/**
 * The direct parts of a well-formed multipart/report (RFC 6522) — the shape of nearly every DSN
 * and ARF report — or null for anything else: another type, a part that is itself multipart, a
 * transfer encoding other than identity or base64, a missing closing delimiter. The listener
 * hands null to mailparser, which reads everything; this path exists because mailparser costs
 * most of a DSN's CPU (bench/bounces), and returns only what mailparser would read from the
 * same bytes (report-mime.spec.ts compares the two).
 */
export function reportParts(raw: Buffer): ReportPart[] | null {
  const text = raw.toString('latin1');
  const top = splitEntity(text);
  if (!top || !IDENTITY_ENCODINGS.has(headerValue(top.headers, 'content-transfer-encoding').toLowerCase())) return null;
  const contentType = parseContentType(headerValue(top.headers, 'content-type'));
  if (contentType?.type !== 'multipart/report' || !contentType.boundary) return null;

  const bodies = multipartBodies(top.body, contentType.boundary);
  if (!bodies) return null;
  const parts: ReportPart[] = [];
  for (const body of bodies) {
    const part = splitEntity(body);
    if (!part) return null;
    const declared = headerValue(part.headers, 'content-type');
    const type = declared ? parseContentType(declared)?.type : 'text/plain';
    if (!type || type.startsWith('multipart/')) return null;
    const encoding = headerValue(part.headers, 'content-transfer-encoding').toLowerCase();
    // Bytes as they came (latin1 kept them one char per byte), then read as UTF-8 like mailparser's attachment content.
    if (IDENTITY_ENCODINGS.has(encoding)) parts.push({ type, body: Buffer.from(part.body, 'latin1').toString('utf8') });
    else if (encoding === 'base64') parts.push({ type, body: Buffer.from(part.body, 'base64').toString('utf8') });
    else return null;
  }
  return parts;
}

interface Entity {
  /** Unfolded header fields, names lower-cased; a repeated field keeps its first value. */
  headers: Map<string, string>;
  body: string;
}

/** Headers the reader relies on: given twice, which one counts is mailparser's call. */
const SINGLE = new Set(['content-type', 'content-transfer-encoding']);

/** Printable ASCII but the colon (RFC 5322 2.2): a line that is not one ("From " of mbox) is mailparser's. */
const FIELD_NAME = /^[!-9;-~]+$/;

/** Header block and body of an entity, or null without a blank line between them. */
function splitEntity(text: string): Entity | null {
  if (text.startsWith('\r\n')) return { headers: new Map(), body: text.slice(2) };
  if (text.startsWith('\n')) return { headers: new Map(), body: text.slice(1) };
  const crlf = text.indexOf('\r\n\r\n');
  const lf = text.indexOf('\n\n');
  let end: number;
  let bodyStart: number;
  if (crlf !== -1 && (lf === -1 || crlf < lf)) [end, bodyStart] = [crlf, crlf + 4];
  else if (lf !== -1) [end, bodyStart] = [lf, lf + 2];
  else return null;
  const headers = new Map<string, string>();
  let last: string | null = null;
  for (const line of text.slice(0, end).split(/\r?\n/)) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && last) {
      headers.set(last, `${headers.get(last)} ${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    const name = line.slice(0, Math.max(colon, 0)).trimEnd().toLowerCase();
    if (!FIELD_NAME.test(name)) return null;
    if (headers.has(name)) {
      if (SINGLE.has(name)) return null;
      last = null;
      continue;
    }
    headers.set(name, line.slice(colon + 1).trim());
    last = name;
  }
  return { headers, body: text.slice(bodyStart) };
}

function headerValue(headers: Map<string, string>, name: string): string {
  return headers.get(name)?.trim() ?? '';
}

/** type/subtype in lower case and the boundary parameter; null when the value is not plainly one. */
function parseContentType(value: string): { type: string; boundary?: string } | null {
  if (!value) return null;
  const [typePart, ...params] = value.split(';');
  const type = typePart.trim().toLowerCase();
  if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(type)) return null;
  let boundary: string | undefined;
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq === -1) continue;
    if (param.slice(0, eq).trim().toLowerCase() !== 'boundary') continue;
    const raw = param.slice(eq + 1).trim();
    boundary = raw.startsWith('"') ? (raw.endsWith('"') && raw.length > 1 ? raw.slice(1, -1) : undefined) : raw;
  }
  // A boundary with a quote, a semicolon (inside quotes) or too long is left to mailparser.
  if (boundary !== undefined && !/^[0-9a-zA-Z'()+_,\-./:=? ]{1,70}$/.test(boundary)) return null;
  return { type, boundary };
}

/** The bodies between `--boundary` delimiter lines, or null without a closing `--boundary--`. */
function multipartBodies(body: string, boundary: string): string[] | null {
  const lines = body.split('\n');
  const bodies: string[] = [];
  let current: string[] | null = null;
  for (const rawLine of lines) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.startsWith('--') && line.startsWith(boundary, 2)) {
      const rest = line.slice(2 + boundary.length);
      const closing = rest.startsWith('--');
      // Transport padding (RFC 2046 5.1.1) may follow a delimiter; anything else means it is not one.
      if ((closing ? rest.slice(2) : rest).trim() === '') {
        // The line break before a delimiter belongs to the delimiter.
        if (current) bodies.push(current.join('\n').replace(/\r$/, ''));
        if (closing) return bodies;
        current = [];
        continue;
      }
    }
    current?.push(rawLine);
  }
  return null;
}
