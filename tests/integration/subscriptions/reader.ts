import { eventually, TestApp } from '../../support/app';
import { httpExchange, HttpExchange } from '../../support/http-exchange';
import { ReceivedMail, SmtpSink } from '../../support/smtp-sink';

export { MovableClock } from '../../support/clock';

/**
 * What the reader tests share: an HTTP client that can speak from any loopback
 * address (so each test has its own rate-limit bucket, as separate readers would),
 * a clock the tests can move, and ways to find a reader's mail and its links.
 */

export interface HttpResponse extends HttpExchange {
  json<T = unknown>(): T;
}

export interface HttpRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  /** A string or Buffer is sent as is; anything else as JSON. */
  body?: unknown;
  /** Source address, any of 127.0.0.0/8; default 127.0.0.1. */
  from?: string;
}

export async function send(app: Pick<TestApp, 'url'>, options: HttpRequest): Promise<HttpResponse> {
  const url = new URL(options.path, app.url);
  const headers: Record<string, string> = { ...options.headers };
  let payload: Buffer | undefined;
  if (options.body !== undefined) {
    if (typeof options.body === 'string' || Buffer.isBuffer(options.body)) {
      payload = Buffer.from(options.body);
    } else {
      payload = Buffer.from(JSON.stringify(options.body));
      headers['content-type'] ??= 'application/json';
    }
  }
  const response = await httpExchange({ baseUrl: app.url, method: options.method ?? 'GET', requestLine: url.pathname + url.search, headers, payload, from: options.from });
  return { ...response, json: <T>() => JSON.parse(response.text) as T };
}

/** A new loopback source address per call: 127.0.1.2, 127.0.1.3, … */
let lastIp = 0;
export function nextIp(): string {
  lastIp++;
  return `127.0.${1 + Math.floor(lastIp / 250)}.${2 + (lastIp % 250)}`;
}

let lastAddress = 0;
export function anAddress(label = 'reader'): string {
  lastAddress++;
  return `${label}.${process.pid}.${lastAddress}@example.com`;
}

export function formBody(fields: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) {
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, item);
  }
  return params.toString();
}

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
export const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

export function mailsTo(sink: SmtpSink, address: string): ReceivedMail[] {
  return sink.messages.filter((mail) => mail.envelope.to.includes(address));
}

/** Waits until `address` has received `count` emails, and returns them. */
export function waitForMailTo(sink: SmtpSink, address: string, count = 1): Promise<ReceivedMail[]> {
  return eventually(async () => {
    const found = mailsTo(sink, address);
    return found.length >= count ? found : undefined;
  });
}

/** The path and query of the first link in the mail's text to `path`, e.g. '/subscriptions/confirm'. */
export function linkIn(mail: ReceivedMail, app: Pick<TestApp, 'url'>, path: string): string {
  const pattern = new RegExp(`${escapeRegExp(app.url)}${escapeRegExp(path)}\\?token=[A-Za-z0-9_-]+`);
  const found = pattern.exec(mail.text ?? '') ?? pattern.exec(mail.html ?? '');
  if (!found) throw new Error(`no ${path} link in mail "${mail.subject}"`);
  return found[0].slice(app.url.length);
}

export function tokenOf(pathWithToken: string): string {
  return new URL(pathWithToken, 'http://x').searchParams.get('token') ?? '';
}

/** Subscribes over the API and returns the confirmation mail. */
export async function subscribe(
  app: TestApp,
  body: Record<string, unknown>,
  from = nextIp(),
): Promise<HttpResponse> {
  return send(app, { method: 'POST', path: '/subscriptions', body, from });
}

/** Subscribes, opens the confirmation link, and returns the confirmed reader's id and their confirmation mail. */
export async function aConfirmedReader(
  app: TestApp,
  overrides: Record<string, unknown> = {},
): Promise<{ email: string; id: string; mail: ReceivedMail }> {
  const email = (overrides.email as string | undefined) ?? anAddress();
  const response = await subscribe(app, { email, tags: ['ainews'], ...overrides });
  if (response.status !== 202) throw new Error(`subscribe answered ${response.status}: ${response.text}`);
  const [mail] = await waitForMailTo(app.smtp, email);
  const confirmed = await send(app, { path: linkIn(mail, app, '/subscriptions/confirm') });
  if (confirmed.status !== 200) throw new Error(`confirm answered ${confirmed.status}`);
  const row = await app.prisma.subscriber.findUniqueOrThrow({ where: { email } });
  return { email, id: row.id, mail };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
