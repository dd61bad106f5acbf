import { emailHash } from '../../../src/suppression/email-hash';
import { startTestApp, TestApp } from '../../support/app';
import { digestMails, NO_TICKS, outboxSettled, runAt, someSubscribers, storeArticles } from './digest-fixtures';

jest.setTimeout(180_000);

const HOUR = 3_600_000;

/** How many times each Message-ID arrived. */
function arrivals(app: TestApp): Map<string, number> {
  const counts = new Map<string, number>();
  for (const mail of app.smtp.messages) counts.set(mail.messageId ?? '', (counts.get(mail.messageId ?? '') ?? 0) + 1);
  return counts;
}

describe('Digest delivery through a misbehaving SMTP server', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({ env: NO_TICKS });
  });

  afterAll(() => sut.close());

  beforeEach(() => sut.smtp.reset());

  it('delivers every digest exactly once when the server answers 451 for a while', async () => {
    const at = new Date('2027-06-01T07:00:00Z');
    const readers = await someSubscribers(sut.prisma, 12, () => ({ tags: ['greylisted'] }));
    await storeArticles(sut, [{ tags: ['greylisted'], publishedAt: new Date(at.getTime() - HOUR) }]);
    sut.smtp.failNext(20, 451);

    await runAt(sut, at);
    await sut.smtp.waitFor(readers.length, 90_000);
    await outboxSettled(sut, 90_000);

    const expected = readers.map((r) => `<digest.${r.id}.2027-06-01@dispatch.test>`).sort();
    expect([...arrivals(sut).entries()].sort()).toEqual(expected.map((id) => [id, 1]));
    expect(sut.smtp.events.filter((event) => event.outcome === 'failed' && event.code === 451)).toHaveLength(20);
    const rows = await sut.prisma.delivery.findMany({ where: { kind: 'digest', subscriberId: { in: readers.map((r) => r.id) } } });
    expect(rows.map((row) => row.status)).toEqual(readers.map(() => 'sent'));
    expect(Math.max(...rows.map((row) => row.attempts))).toBeGreaterThan(1);
  });

  it('fails and suppresses the one address the server does not know (550 5.1.1), delivers the rest, and skips it from then on', async () => {
    const day1 = new Date('2027-06-10T07:00:00Z');
    const day2 = new Date(day1.getTime() + 24 * HOUR);
    const readers = await someSubscribers(sut.prisma, 5, () => ({ tags: ['bouncing'] }));
    const [unknown, ...known] = readers;
    sut.smtp.rejectRecipient(unknown.email, 550, '5.1.1 <unknown> Recipient address rejected: User unknown');
    await storeArticles(sut, [
      { tags: ['bouncing'], publishedAt: new Date(day1.getTime() - HOUR) },
      { tags: ['bouncing'], publishedAt: new Date(day2.getTime() - HOUR) },
    ]);

    await runAt(sut, day1);
    await sut.smtp.waitFor(known.length);
    await outboxSettled(sut);

    const failed = await sut.prisma.delivery.findFirstOrThrow({ where: { kind: 'digest', subscriberId: unknown.id } });
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    expect(failed.lastError).toMatch(/550/);
    expect(await sut.prisma.suppression.findUnique({ where: { emailHash: emailHash(unknown.email) } })).not.toBeNull();
    expect(digestMails(sut.smtp.messages).map((mail) => mail.subscriberId).sort()).toEqual(known.map((r) => r.id).sort());

    const report = await runAt(sut, day2);
    await outboxSettled(sut);

    expect(report.suppressed).toBe(1);
    expect(await sut.prisma.delivery.count({ where: { kind: 'digest', subscriberId: unknown.id } })).toBe(1);
    expect((await sut.prisma.subscriber.findUniqueOrThrow({ where: { id: unknown.id } })).nextDigestAt).toEqual(new Date('2027-06-12T07:00:00Z'));
    expect(digestMails(sut.smtp.messages).filter((mail) => mail.period === '2027-06-11').map((mail) => mail.subscriberId).sort()).toEqual(
      known.map((r) => r.id).sort(),
    );
  });
});
