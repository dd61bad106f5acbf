import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { PrismaClient } from '../../../src/generated/prisma/client';
import { emailHash } from '../../../src/suppression/email-hash';
import { EDITOR_KEY, eventually, TestApp } from '../../support/app';
import { ReceivedMail } from '../../support/smtp-sink';

/** Builders and helpers shared by the alert tests: readers and articles written straight to the database. */

export interface ReaderSpec {
  email?: string;
  tags?: string[];
  status?: 'pending' | 'confirmed' | 'unsubscribed';
  suppressed?: boolean;
}

export interface Reader {
  id: string;
  email: string;
}

let readerCounter = 0;

/** A confirmed reader of `ainews` unless told otherwise; addresses are unique per test run. */
export async function aReader(prisma: PrismaClient, spec: ReaderSpec = {}): Promise<Reader> {
  const [reader] = await someReaders(prisma, 1, () => spec);
  return reader;
}

/** Many readers in one statement (a 2,000-reader audience is written in milliseconds). */
export async function someReaders(prisma: PrismaClient, count: number, spec: (index: number) => ReaderSpec = () => ({})): Promise<Reader[]> {
  const run = randomUUID().slice(0, 8);
  const rows = Array.from({ length: count }, (_, index) => {
    const wanted = spec(index);
    const status = wanted.status ?? 'confirmed';
    return {
      id: randomUUID(),
      email: wanted.email ?? `reader-${run}-${++readerCounter}@readers.test`,
      status,
      tags: wanted.tags ?? ['ainews'],
      confirmedAt: status === 'pending' ? null : new Date(),
      unsubscribedAt: status === 'unsubscribed' ? new Date() : null,
      suppressed: wanted.suppressed ?? false,
    };
  });
  await prisma.subscriber.createMany({ data: rows.map(({ suppressed: _suppressed, ...row }) => row) });
  const suppressed = rows.filter((row) => row.suppressed);
  if (suppressed.length > 0) {
    await prisma.suppression.createMany({ data: suppressed.map((row) => ({ emailHash: emailHash(row.email), reason: 'hard bounce (test)' })) });
  }
  return rows.map(({ id, email }) => ({ id, email }));
}

export interface ArticleSpec {
  id?: string;
  title?: string;
  tags?: string[];
  publishedAt?: Date;
  summary?: string;
}

let articleCounter = 0;

export function anArticleEvent(spec: ArticleSpec = {}) {
  const id = spec.id ?? `story-${randomUUID().slice(0, 8)}-${++articleCounter}`;
  return {
    id,
    title: spec.title ?? `Headline for ${id}`,
    url: `https://news.example.com/${id}`,
    summary: spec.summary ?? `What happened in ${id}.`,
    tags: spec.tags ?? ['ainews'],
    publishedAt: (spec.publishedAt ?? new Date()).toISOString(),
    author: 'Editorial Staff',
  };
}

export async function anArticle(prisma: PrismaClient, spec: ArticleSpec = {}): Promise<{ id: string; title: string }> {
  const event = anArticleEvent(spec);
  await prisma.article.create({ data: { ...event, publishedAt: new Date(event.publishedAt) } });
  return { id: event.id, title: event.title };
}

export const editor = { Authorization: `Bearer ${EDITOR_KEY}` };

export function postAlert(app: TestApp, body: unknown) {
  return request(app.url).post('/alerts').set(editor).send(body as object);
}

export function alertStatus(app: TestApp, alertId: string) {
  return request(app.url).get(`/alerts/${alertId}`).set(editor);
}

/** Waits until GET /alerts/:id says "sent" and returns that last status. */
export function alertFinished(app: TestApp, alertId: string, timeoutMs = 60_000) {
  return eventually(async () => {
    const res = await alertStatus(app, alertId);
    return res.body.status === 'sent' ? res.body : undefined;
  }, timeoutMs);
}

/** The mails the sink received for one alert (Message-ID <alert.{alertId}.{subscriberId}@host>). */
export function mailsOf(messages: readonly ReceivedMail[], alertId: string): ReceivedMail[] {
  return messages.filter((mail) => mail.messageId?.startsWith(`<alert.${alertId}.`));
}

export function recipientsOf(mails: readonly ReceivedMail[]): string[] {
  return mails.flatMap((mail) => mail.envelope.to).sort();
}
