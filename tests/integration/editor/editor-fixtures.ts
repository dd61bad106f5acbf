import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { PrismaClient } from '../../../src/generated/prisma/client';
import { emailHash } from '../../../src/suppression/email-hash';
import { EDITOR_KEY, TestApp } from '../../support/app';

/** Builders for the editor console's tests: readers and articles written straight to the database. */

export interface ReaderSpec {
  tags?: string[];
  status?: 'pending' | 'confirmed' | 'unsubscribed';
  suppressed?: boolean;
}

let readers = 0;

/** Confirmed, daily at 07:00 UTC, unless told otherwise; every address is new. */
export async function someReaders(prisma: PrismaClient, count: number, spec: ReaderSpec = {}): Promise<{ id: string; email: string }[]> {
  const status = spec.status ?? 'confirmed';
  const rows = Array.from({ length: count }, () => ({
    id: randomUUID(),
    email: `editor-reader-${randomUUID().slice(0, 8)}-${++readers}@readers.test`,
    status,
    tags: spec.tags ?? ['ainews'],
    confirmedAt: status === 'pending' ? null : new Date(),
    unsubscribedAt: status === 'unsubscribed' ? new Date() : null,
  }));
  await prisma.subscriber.createMany({ data: rows });
  if (spec.suppressed) {
    await prisma.suppression.createMany({ data: rows.map((row) => ({ emailHash: emailHash(row.email), reason: 'hard bounce (test)' })) });
  }
  return rows.map(({ id, email }) => ({ id, email }));
}

export async function aReader(prisma: PrismaClient, spec: ReaderSpec = {}): Promise<{ id: string; email: string }> {
  const [reader] = await someReaders(prisma, 1, spec);
  return reader;
}

export interface ArticleSpec {
  id?: string;
  title?: string;
  tags?: string[];
  publishedAt?: Date;
  summary?: string;
}

let articles = 0;

export function anArticleEvent(spec: ArticleSpec = {}) {
  const id = spec.id ?? `editor-story-${randomUUID().slice(0, 8)}-${++articles}`;
  return {
    id,
    title: spec.title ?? `Headline of ${id}`,
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

export const asEditor = { Authorization: `Bearer ${EDITOR_KEY}` };
export const withWrongKey = { Authorization: 'Bearer not-the-editor-key' };

export function editorGet(app: TestApp, path: string, query: Record<string, string> = {}) {
  return request(app.url).get(path).query(query).set(asEditor);
}

/** Every row a preview must not write, and every message it must not send. */
export async function sideEffects(app: TestApp) {
  const [deliveries, alerts, digestRuns] = await Promise.all([app.prisma.delivery.count(), app.prisma.alert.count(), app.prisma.digestRun.count()]);
  return { deliveries, alerts, digestRuns, mails: app.smtp.messages.length };
}
