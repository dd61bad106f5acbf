import request from 'supertest';
import { PrismaClient } from '../../../src/generated/prisma/client';
import { EDITOR_KEY, eventually, TestApp } from '../../support/app';
import { insertReaders, Reader, ReaderSpec } from '../../support/builders';
import { ReceivedMail } from '../../support/smtp-sink';

/** Builders and helpers shared by the alert tests: readers and articles written straight to the database. */

export { aFreshArticleEvent, anArticle } from '../../support/builders';
export type { Reader, ReaderSpec } from '../../support/builders';

/** A confirmed reader of `ainews` unless told otherwise; addresses are unique per test run. */
export async function aReader(prisma: PrismaClient, spec: ReaderSpec = {}): Promise<Reader> {
  const [reader] = await someReaders(prisma, 1, () => spec);
  return reader;
}

/** Many readers in one statement (a 2,000-reader audience is written in milliseconds); no digest schedule. */
export function someReaders(prisma: PrismaClient, count: number, spec: (index: number) => ReaderSpec = () => ({})): Promise<Reader[]> {
  return insertReaders(prisma, count, spec, { label: 'reader', tags: ['ainews'], confirmedAt: () => new Date(), nextDigestAt: () => null });
}

export const editor = { Authorization: `Bearer ${EDITOR_KEY}` };

export function postAlert(app: TestApp, body: unknown) {
  return request(app.url).post('/alerts').set(editor).send(body as object);
}

export function alertStatus(app: TestApp, alertId: string) {
  return request(app.url).get(`/alerts/${alertId}`).set(editor);
}

/**
 * GET /alerts/:id of a major alert sent at once by email only (push off, or no browser
 * subscribed): every figure is the email channel's, push all zero.
 */
export function anEmailAlertReport(alertId: string, email: { recipients: number; sent: number; failed: number }) {
  const feedback = { held: 0, bounced: 0, complained: 0 };
  return {
    alertId,
    status: 'sent',
    ...email,
    ...feedback,
    channels: { email: { ...email, ...feedback }, push: { recipients: 0, sent: 0, failed: 0, held: 0, expired: 0 } },
    requestedChannels: ['email', 'push'],
    priority: 'major',
    test: false,
    sendAt: null,
  };
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
