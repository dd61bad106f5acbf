import request from 'supertest';
import { PrismaClient } from '../../../src/generated/prisma/client';
import { EDITOR_KEY, TestApp } from '../../support/app';
import { insertReaders, Reader, ReaderSpec } from '../../support/builders';

/** Builders for the editor console's tests: readers and articles written straight to the database. */

export { anArticle } from '../../support/builders';

/** Confirmed `ainews` readers without a digest schedule unless told otherwise; every address is new. */
export function someReaders(prisma: PrismaClient, count: number, spec: ReaderSpec = {}): Promise<Reader[]> {
  return insertReaders(prisma, count, () => spec, { label: 'editor-reader', tags: ['ainews'], confirmedAt: () => new Date(), nextDigestAt: () => null });
}

export async function aReader(prisma: PrismaClient, spec: ReaderSpec = {}): Promise<Reader> {
  const [reader] = await someReaders(prisma, 1, spec);
  return reader;
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
