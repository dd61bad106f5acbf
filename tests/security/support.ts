import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../../src/generated/prisma/client';
import { signToken, TokenPurpose } from '../../src/subscriptions/tokens';
import { EDITOR_KEY, eventually, startTestApp, TestApp } from '../support/app';
import type { MovableClock } from '../support/clock';
import { httpExchange, HttpExchange } from '../support/http-exchange';
import { committedTotal, endTotal } from '../support/kafka-offsets';

export { committedTotal, endTotal } from '../support/kafka-offsets';
export { anArticleEvent } from '../support/builders';
export { MovableClock } from '../support/clock';

/**
 * What the security tests share: an HTTP client that sends a request line and
 * body byte for byte as the test wrote them (broken percent-encoding, repeated
 * parameters, bodies that are not what their Content-Type says), and builders
 * for rows the tests need before they can attack them.
 */

export type RawResponse = HttpExchange;

export interface RawRequest {
  method?: string;
  /** Path and query exactly as sent; only bytes Node refuses in a request line are percent-encoded. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Source address, any of 127.0.0.0/8 (each its own rate-limit bucket). */
  from?: string;
}

export const editorAuth = { authorization: `Bearer ${EDITOR_KEY}` };
export const JSON_TYPE = { 'content-type': 'application/json' };
export const FORM_TYPE = { 'content-type': 'application/x-www-form-urlencoded' };
export const BROWSER_ACCEPT = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

/** Node refuses control characters, spaces and non-ASCII in a request line: those (only) are percent-encoded. */
export function requestLineSafe(path: string): string {
  return Array.from(path)
    .map((char) => (/^[\x21-\x7e]$/.test(char) ? char : [...Buffer.from(char, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('')))
    .join('');
}

export function sendRaw(app: Pick<TestApp, 'url'>, options: RawRequest): Promise<RawResponse> {
  const payload = options.body === undefined ? undefined : Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body, 'utf8');
  return httpExchange({
    baseUrl: app.url,
    method: options.method ?? 'GET',
    requestLine: requestLineSafe(options.path),
    headers: { ...options.headers },
    payload,
    from: options.from,
  });
}

/** A new loopback source address per call, from a range no other helper hands out (127.1.x.y). */
let lastIp = 0;
export function freshIp(): string {
  lastIp++;
  return `127.1.${Math.floor(lastIp / 250) % 250}.${2 + (lastIp % 250)}`;
}

let lastAddress = 0;
export function anAddress(label = 'reader'): string {
  lastAddress++;
  return `${label}.${process.pid}.${lastAddress}.${randomUUID().slice(0, 6)}@example.com`;
}

/** The error shape CONTRACT.md promises for every JSON error. */
export function isErrorBody(status: number, text: string): boolean {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return false;
  }
  if (typeof body !== 'object' || body === null) return false;
  const { statusCode, error, message } = body as Record<string, unknown>;
  return statusCode === status && typeof error === 'string' && error.length > 0 && typeof message === 'string';
}

export interface SeededReader {
  id: string;
  email: string;
  tokenVersion: number;
}

/** A reader written straight to the database, in whatever state the test attacks. */
export async function aReaderRow(
  prisma: PrismaClient,
  overrides: { email?: string; status?: 'pending' | 'confirmed' | 'unsubscribed'; tags?: string[]; tokenVersion?: number; nextDigestAt?: Date; confirmedAt?: Date } = {},
): Promise<SeededReader> {
  const status = overrides.status ?? 'confirmed';
  const row = await prisma.subscriber.create({
    data: {
      email: overrides.email ?? anAddress(),
      status,
      tags: overrides.tags ?? ['news'],
      tokenVersion: overrides.tokenVersion ?? 0,
      confirmedAt: status === 'pending' ? null : (overrides.confirmedAt ?? new Date()),
      unsubscribedAt: status === 'unsubscribed' ? new Date() : null,
      nextDigestAt: overrides.nextDigestAt ?? null,
    },
  });
  return { id: row.id, email: row.email, tokenVersion: row.tokenVersion };
}

/** A token as the service would sign it (the test app runs with the development secret). */
export function tokenFor(app: TestApp, purpose: TokenPurpose, reader: { id: string; tokenVersion: number }, expiresAt?: Date): string {
  const expiry = expiresAt ?? (purpose === 'confirm' ? new Date(Date.now() + 3_600_000) : undefined);
  return signToken(app.config.tokenSecret, { purpose, subscriberId: reader.id, version: reader.tokenVersion, ...(expiry ? { expiresAt: expiry } : {}) });
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Milliseconds one call took, with sub-millisecond resolution. */
export async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** Waits until the service's group has committed everything in its article topic. */
export async function consumerCaughtUp(app: TestApp, timeoutMs = 90_000): Promise<number> {
  const { brokers, articlesTopic, groupId } = app.config.kafka;
  const end = await endTotal(brokers, articlesTopic);
  return eventually(async () => ((await committedTotal(brokers, groupId, articlesTopic)) === end ? end : undefined), timeoutMs, 250);
}

/**
 * One app for the enclosing describe block, on `clock` and with the digest tick off (only
 * what a test does sends mail), handed to `started` before the block's tests and closed after.
 */
export function quietAppPerBlock(clock: MovableClock, started: (app: TestApp) => void): void {
  let app: TestApp | undefined;
  beforeAll(async () => {
    app = await startTestApp({ clock, env: { DIGEST_TICK_CRON: '0 0 1 1 *' } });
    started(app);
  });
  afterAll(async () => {
    await app?.close();
  });
}
