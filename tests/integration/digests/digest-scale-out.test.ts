import { startTestApp, TestApp } from '../../support/app';
import { DigestRunService } from '../../../src/digests/digest-run.service';
import { digestMails, NO_TICKS, outboxSettled, postRun, runFinished, someSubscribers, storeArticles, MovableClock } from './digest-fixtures';

jest.setTimeout(180_000);

const HOUR = 3_600_000;

describe('Two instances running the same digest run (same database, same SMTP server)', () => {
  let first: TestApp;
  let second: TestApp;
  const clock = new MovableClock(new Date('2027-07-01T05:00:00Z'));

  beforeAll(async () => {
    first = await startTestApp({ env: NO_TICKS, clock });
    second = await startTestApp({ env: NO_TICKS, clock, db: first.db, smtp: first.smtp, topics: first.topics });
  });

  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  it('decides each reader once and sends each digest once, whichever instance gets there first', async () => {
    const at = new Date('2027-07-01T07:00:00Z');
    const readers = await someSubscribers(first.prisma, 600, (i) => ({ tags: [`so-${i % 7}`, 'so-all'] }));
    await storeArticles(
      first,
      Array.from({ length: 30 }, (_, i) => ({ tags: [`so-${i % 7}`], publishedAt: new Date(at.getTime() - (i + 1) * 0.5 * HOUR) })),
    );

    const [a, b] = await Promise.all([postRun(first, { at: at.toISOString() }), postRun(second, { at: at.toISOString() })]);
    expect([a.status, b.status]).toEqual([202, 202]);
    const [doneA, doneB] = await Promise.all([runFinished(first, a.body.runId), runFinished(second, b.body.runId)]);
    await first.smtp.waitFor(readers.length, 120_000);
    await outboxSettled(first, 120_000);

    expect(doneA.queued + doneB.queued).toBe(readers.length);
    const received = digestMails(first.smtp.messages);
    expect(received).toHaveLength(readers.length);
    expect(new Set(received.map((mail) => mail.subscriberId))).toEqual(new Set(readers.map((r) => r.id)));
    expect(await first.prisma.delivery.count({ where: { kind: 'digest', status: 'sent' } })).toBe(readers.length);
  });

  it('stays at one digest per reader when both schedulers tick at the same instant, over and over', async () => {
    const at = new Date('2027-07-02T07:00:00Z');
    const before = first.smtp.messages.length;
    await storeArticles(first, [{ tags: ['so-all'], publishedAt: new Date(at.getTime() - HOUR) }]);
    const runs = [first, second].flatMap((app) => [0, 1, 2].map(() => app.app.get(DigestRunService).run(at, 'tick')));

    const reports = await Promise.all(runs);
    await outboxSettled(first, 120_000);

    expect(reports.reduce((sum, report) => sum + report.queued, 0)).toBe(600);
    const received = digestMails(first.smtp.messages.slice(before));
    expect(received).toHaveLength(600);
    expect(new Set(received.map((mail) => mail.mail.messageId)).size).toBe(600);
    expect(received.every((mail) => mail.period === '2027-07-02')).toBe(true);
  });
});
