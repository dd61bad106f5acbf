import { AlertAudienceRepository } from '../../../src/alerts/alert-audience.repository';
import { AlertFanout } from '../../../src/alerts/alert-fanout';
import { eventually, startTestApp, TestApp } from '../../support/app';
import { anArticle, mailsOf, someReaders } from './alert-fixtures';

jest.setTimeout(120_000);

// Issue 13 point 5: a fan-out a crash interrupted is resumed by exactly one
// instance (its lease decides), from where it stopped — not restarted from the
// first reader by every instance's sweep.

describe('An interrupted alert fan-out found by two instances', () => {
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    first = await startTestApp();
    second = await startTestApp({ db: first.db, smtp: first.smtp, topics: first.topics });
    // Both consumers in their group before the test: closing an app whose consumer is still joining lets kafkajs log after the test file ended.
    for (const app of [first, second]) await eventually(async () => ((await fetch(`${app.url}/health`)).status === 200 ? true : undefined), 60_000);
  });

  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  it('is taken over by one of them, which goes on from the last reader written', async () => {
    const readers = (await someReaders(first.prisma, 600, () => ({ tags: ['takeover'] }))).sort((a, b) => a.id.localeCompare(b.id));
    const article = await anArticle(first.prisma, { tags: ['takeover'] });
    // What a crashed instance leaves: the alert, its fan-out lease run out, the first 250 readers written.
    const cursor = readers[249].id;
    const alert = await first.prisma.alert.create({
      data: { articleId: article.id, tags: ['takeover'], sentBy: 'test', recipients: readers.length, fanoutCursor: cursor, fanoutLeaseUntil: new Date(Date.now() - 1_000), createdAt: new Date(Date.now() - 60_000) },
    });
    const slices = [first, second].map((app) => jest.spyOn(app.app.get(AlertAudienceRepository), 'queueSlice'));
    // Both sweeps at once, as two instances' timers may fire.
    await Promise.all([first, second].map((app) => app.app.get(AlertFanout).resumeStalled()));

    await eventually(async () => ((await first.prisma.alert.findUniqueOrThrow({ where: { id: alert.id } })).fannedOutAt ? true : undefined), 60_000);
    await eventually(async () => (mailsOf(first.smtp.messages, alert.id).length >= readers.length - 250 ? true : undefined), 60_000);

    const resumedBy = slices.map((spy) => spy.mock.calls.filter(([target]) => target.alertId === alert.id));
    expect(resumedBy.filter((calls) => calls.length > 0)).toHaveLength(1);
    expect(resumedBy.flat()[0][1]).toBe(cursor);
    const rows = await first.prisma.delivery.findMany({ where: { alertId: alert.id }, select: { subscriberId: true } });
    expect(rows.map((row) => row.subscriberId).sort()).toEqual(readers.slice(250).map((reader) => reader.id));
  });
});
