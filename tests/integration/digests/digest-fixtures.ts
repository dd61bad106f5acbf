import { DateTime } from 'luxon';
import request from 'supertest';
import { ArticleEvent } from '../../../src/articles/article-event';
import { ArticlesRepository } from '../../../src/articles/articles.repository';
import { DigestRunReport, DigestRunService } from '../../../src/digests/digest-run.service';
import { PrismaClient } from '../../../src/generated/prisma/client';
import { EDITOR_KEY, eventually, TestApp } from '../../support/app';
import { aFreshArticleEvent, ArticleSpec, insertReaders, Reader, ReaderSpec } from '../../support/builders';
import { ReceivedMail } from '../../support/smtp-sink';

export { MovableClock } from '../../support/clock';

/** Builders and helpers for the digest tests: readers and articles written straight to the database, runs driven by instant. */

export const editor = { Authorization: `Bearer ${EDITOR_KEY}` };

/** Keeps the cron out of the way (it fires on 1 January only) in tests that drive runs themselves. */
export const NO_TICKS = { DIGEST_TICK_CRON: '0 0 1 1 *' };

/** A reader as digest tests describe one; by default confirmed and due right away (nextDigestAt at the Unix epoch). */
export type SubscriberSpec = ReaderSpec;
export type TestSubscriber = Reader;

export async function aSubscriber(prisma: PrismaClient, spec: SubscriberSpec = {}): Promise<TestSubscriber> {
  const [subscriber] = await someSubscribers(prisma, 1, () => spec);
  return subscriber;
}

export function someSubscribers(prisma: PrismaClient, count: number, spec: (index: number) => SubscriberSpec = () => ({})): Promise<TestSubscriber[]> {
  return insertReaders(prisma, count, spec, {
    label: 'digest-reader',
    tags: ['ainews'],
    confirmedAt: () => new Date(0),
    nextDigestAt: (status) => (status === 'confirmed' ? new Date(0) : null),
  });
}

/** A digest test's story: when it was published is always said. */
export interface StorySpec extends ArticleSpec {
  publishedAt: Date;
  breaking?: boolean;
}

/** The parsed article ingestion would store for `spec` (fresh ids, `ainews` unless told). */
export function aParsedArticle(spec: StorySpec): ArticleEvent {
  const { breaking, ...fields } = spec;
  return { ...aFreshArticleEvent(fields), publishedAt: spec.publishedAt, imageUrl: undefined, breaking: breaking ?? false };
}

/** Stores articles the way ingestion does (upsert), without Kafka: for tests where Kafka is not the point. */
export async function storeArticles(app: TestApp, specs: StorySpec[]): Promise<ArticleEvent[]> {
  const events = specs.map(aParsedArticle);
  await app.app.get(ArticlesRepository).upsertMany(events);
  return events;
}

/** A whole run at `at`, in-process, resolved when every due subscriber was decided and queued. */
export function runAt(app: TestApp, at: Date): Promise<DigestRunReport> {
  return app.app.get(DigestRunService).run(at, 'manual');
}

export function postRun(app: TestApp, body?: object) {
  const req = request(app.url).post('/digests/run').set(editor);
  return body === undefined ? req.send() : req.send(body);
}

export function preview(app: TestApp, query: Record<string, string>) {
  return request(app.url).get('/digests/preview').query(query).set(editor);
}

/** Waits for GET /digests/runs/:id to say finished. */
export function runFinished(app: TestApp, runId: string, timeoutMs = 30_000) {
  return eventually(async () => {
    const res = await request(app.url).get(`/digests/runs/${runId}`).set(editor);
    return res.body.status === 'finished' ? res.body : undefined;
  }, timeoutMs);
}

/** Waits until the outbox has nothing left to send (no row queued, sending or uncertain). */
export async function outboxSettled(app: TestApp, timeoutMs = 60_000): Promise<void> {
  await eventually(async () => {
    const pending = await app.prisma.delivery.count({ where: { status: { in: ['queued', 'sending', 'uncertain'] } } });
    return pending === 0 ? true : undefined;
  }, timeoutMs, 100);
}

export interface DigestMail {
  subscriberId: string;
  period: string;
  mail: ReceivedMail;
}

/** The digests a sink received, read from their Message-ID <digest.{subscriber}.{period}@host>. */
export function digestMails(messages: readonly ReceivedMail[]): DigestMail[] {
  return messages.flatMap((mail) => {
    const match = /^<digest\.([0-9a-f-]{36})\.([0-9W-]+)@[^>]+>$/.exec(mail.messageId ?? '');
    return match ? [{ subscriberId: match[1], period: match[2], mail }] : [];
  });
}

/** Each digest row of a subscriber with the instant of the run that decided it, oldest first. */
export async function digestRowsOf(prisma: PrismaClient, subscriberId: string) {
  const rows = await prisma.delivery.findMany({ where: { subscriberId, kind: 'digest' }, orderBy: { id: 'asc' } });
  const runs = await prisma.digestRun.findMany({ where: { id: { in: rows.flatMap((row) => (row.runId ? [row.runId] : [])) } } });
  const runAtById = new Map(runs.map((run) => [run.id, run.at]));
  return rows.map((row) => ({
    ...row,
    period: (row.payload as { period?: string }).period,
    runAt: row.runId ? runAtById.get(row.runId) : undefined,
  }));
}

/** The instant a zone's wall clock reads `local` (ISO date-time without offset). */
export function localInstant(local: string, zone: string): Date {
  const value = DateTime.fromISO(local, { zone });
  if (!value.isValid) throw new Error(`not a local time: ${local} in ${zone}`);
  return value.toJSDate();
}

/** Instants from `from` to `to` inclusive, every `stepMinutes`. */
export function everyStep(from: Date, to: Date, stepMinutes: number): Date[] {
  const instants: Date[] = [];
  for (let t = from.getTime(); t <= to.getTime(); t += stepMinutes * 60_000) instants.push(new Date(t));
  return instants;
}
