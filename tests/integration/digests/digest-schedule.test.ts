import { DateTime } from 'luxon';
import { eventually, startTestApp, TestApp } from '../../support/app';
import {
  aSubscriber,
  digestMails,
  digestRowsOf,
  everyStep,
  localInstant,
  NO_TICKS,
  outboxSettled,
  runAt,
  someSubscribers,
  storeArticles,
  MovableClock,
} from './digest-fixtures';

jest.setTimeout(180_000);

const ZONES = ['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'Australia/Sydney'];

/** Local 07:00 of every day whose 07:00 falls in (from, to], per the zone's own calendar (luxon, not our code). */
function localSevens(zone: string, from: Date, to: Date): Date[] {
  const sevens: Date[] = [];
  let day = DateTime.fromJSDate(from, { zone }).startOf('day').minus({ days: 1 });
  for (;;) {
    const seven = day.set({ hour: 7 }).toJSDate();
    if (seven > to) return sevens;
    if (seven > from) sevens.push(seven);
    day = day.plus({ days: 1 });
  }
}

describe('Digest schedule', () => {
  describe('runs every half hour across daylight-saving changes', () => {
    let sut: TestApp;

    beforeAll(async () => {
      sut = await startTestApp({ env: NO_TICKS });
    });

    afterAll(() => sut.close());

    it.each([
      ['the US change (2027-03-14)', '2027-03-13T00:00:00Z', '2027-03-15T00:00:00Z'],
      ['the EU change (2027-03-28)', '2027-03-27T00:00:00Z', '2027-03-29T00:00:00Z'],
      ['the Australian change (2027-04-04)', '2027-04-02T12:00:00Z', '2027-04-04T12:00:00Z'],
    ])('sends each zone its digest at its own local 07:00, once a day, around %s', async (_label, fromIso, toIso) => {
      const from = new Date(fromIso);
      const to = new Date(toIso);
      const tag = `dst-${from.getTime().toString(36)}`;
      const readers = await someSubscribers(sut.prisma, ZONES.length, (i) => ({ tags: [tag], timezone: ZONES[i], nextDigestAt: from }));
      // Something new every three hours, so every digest has content.
      await storeArticles(sut, everyStep(new Date(from.getTime() + 60 * 60_000), to, 180).map((publishedAt) => ({ tags: [tag], publishedAt })));

      for (const at of everyStep(from, to, 30)) await runAt(sut, at);
      await outboxSettled(sut);

      for (const [i, zone] of ZONES.entries()) {
        const rows = await digestRowsOf(sut.prisma, readers[i].id);
        const expected = localSevens(zone, from, to);
        expect({ zone, runAt: rows.map((row) => row.runAt?.toISOString()) }).toEqual({ zone, runAt: expected.map((d) => d.toISOString()) });
        expect(rows.map((row) => row.period)).toEqual(expected.map((d) => DateTime.fromJSDate(d, { zone }).toISODate()));
        const received = digestMails(sut.smtp.messages).filter((mail) => mail.subscriberId === readers[i].id);
        expect(received.map((mail) => mail.period).sort()).toEqual(rows.map((row) => row.period).sort());
      }
    });

    it('sends a weekly digest on the reader’s weekday only, with the stories of the week before', async () => {
      const from = new Date('2027-05-02T00:00:00Z'); // a Sunday
      const to = new Date('2027-05-16T00:00:00Z');
      const tag = 'weekly-scope';
      const wednesdayEvening = await aSubscriber(sut.prisma, {
        tags: [tag], frequency: 'weekly', weekday: 3, sendHour: 18, timezone: 'America/New_York', nextDigestAt: from,
      });
      const sundayMorning = await aSubscriber(sut.prisma, {
        tags: [tag], frequency: 'weekly', weekday: 7, sendHour: 7, timezone: 'Asia/Kolkata', nextDigestAt: from,
      });
      const daily = everyStep(new Date(from.getTime() + 3_600_000), to, 24 * 60);
      await storeArticles(sut, daily.map((publishedAt) => ({ tags: [tag], publishedAt })));

      // Every day at both readers' local hours: only their weekday's run may find them due.
      const instants = [
        ...everyStep(localInstant('2027-05-02T18:00', 'America/New_York'), to, 24 * 60),
        ...everyStep(localInstant('2027-05-02T07:00', 'Asia/Kolkata'), to, 24 * 60),
      ].sort((a, b) => a.getTime() - b.getTime());
      for (const at of instants) await runAt(sut, at);
      await outboxSettled(sut);

      const ny = await digestRowsOf(sut.prisma, wednesdayEvening.id);
      expect(ny.map((row) => row.runAt?.toISOString())).toEqual([
        localInstant('2027-05-05T18:00', 'America/New_York').toISOString(),
        localInstant('2027-05-12T18:00', 'America/New_York').toISOString(),
      ]);
      expect(ny.map((row) => row.period)).toEqual(['2027-W18', '2027-W19']);
      const kolkata = await digestRowsOf(sut.prisma, sundayMorning.id);
      expect(kolkata.map((row) => row.runAt?.toISOString())).toEqual([
        localInstant('2027-05-02T07:00', 'Asia/Kolkata').toISOString(),
        localInstant('2027-05-09T07:00', 'Asia/Kolkata').toISOString(),
      ]);
      // The second Wednesday digest holds the seven daily stories since the first, and only those.
      const secondWeek = await sut.prisma.article.findMany({ where: { id: { in: ny[1].articleIds } } });
      expect(secondWeek).toHaveLength(7);
      for (const article of secondWeek) {
        expect(article.publishedAt > ny[0].runAt!).toBe(true);
        expect(article.publishedAt <= ny[1].runAt!).toBe(true);
      }
    });
  });

  describe('the scheduler tick (cron every second, clock set by the test)', () => {
    const clock = new MovableClock(new Date('2027-01-10T05:00:00Z'));
    let sut: TestApp;

    beforeAll(async () => {
      sut = await startTestApp({ env: { DIGEST_TICK_CRON: '* * * * * *' }, clock });
    });

    afterAll(() => sut.close());

    it('catches up a slot the service was down for, once, then sends the next one on time', async () => {
      const reader = await aSubscriber(sut.prisma, { tags: ['tick'], nextDigestAt: new Date('2027-01-10T07:00:00Z') });
      await storeArticles(sut, [
        { id: 'tick-day-1', tags: ['tick'], publishedAt: new Date('2027-01-10T03:00:00Z') },
        { id: 'tick-day-2', tags: ['tick'], publishedAt: new Date('2027-01-11T03:00:00Z') },
      ]);

      // Down across 07:00: the first tick after it sends the 07:00 digest, with the 07:00 window.
      clock.set(new Date('2027-01-10T09:41:00Z'));
      const [first] = await sut.smtp.waitFor(1);
      await eventually(async () => {
        const row = await sut.prisma.subscriber.findUnique({ where: { id: reader.id } });
        return row?.nextDigestAt?.toISOString() === '2027-01-11T07:00:00.000Z' ? true : undefined;
      });
      // More ticks at the same time change nothing.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      clock.set(new Date('2027-01-11T06:59:59Z'));
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(digestMails(sut.smtp.messages)).toHaveLength(1);

      clock.set(new Date('2027-01-11T07:00:00Z'));
      await sut.smtp.waitFor(2);
      await outboxSettled(sut);

      const digests = digestMails(sut.smtp.messages);
      expect(digests.map((d) => [d.subscriberId, d.period])).toEqual([
        [reader.id, '2027-01-10'],
        [reader.id, '2027-01-11'],
      ]);
      expect(first.html).toContain('Headline for tick-day-1');
      expect(digests[1].mail.html).toContain('Headline for tick-day-2');
      expect(digests[1].mail.html).not.toContain('Headline for tick-day-1');
      const runs = await sut.prisma.digestRun.findMany({ where: { trigger: 'tick', queued: { gt: 0 } }, orderBy: { at: 'asc' } });
      expect(runs.map((run) => run.queued)).toEqual([1, 1]);
    });
  });
});
