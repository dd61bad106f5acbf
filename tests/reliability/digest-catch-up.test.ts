import request from 'supertest';
import { setTimeout as sleep } from 'node:timers/promises';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../src/generated/prisma/client';
import { eventually } from '../support/app';
import { createTestDatabase, TestDatabase } from '../support/database';
import { uniqueName } from '../support/kafka';
import { ServiceProcess } from '../support/service-process';
import { SmtpSink } from '../support/smtp-sink';
import { editor, emailsTo, expectCleanLedger, FAST_FAILOVER, Ledger, outboxSettled, receivedCounts, someReaders } from './fixtures';

jest.setTimeout(300_000);

// RELIABILITY.md F12 and issue 8's "two instances with one killed": the service
// was down when readers' 07:00 slot passed. Two replicas come back, both running
// the scheduler (a tick every second, on the real clock) while an editor also
// asks both for a run; one replica is SIGKILLed mid-send and later restarted.
// Each reader gets exactly one digest, for the slot they missed, and no more.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const EVERY_SECOND = '* * * * * *';

/** The latest 07:00 UTC at or before `now`. */
function lastSevenOClock(now: Date): Date {
  const slot = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 7));
  return slot <= now ? slot : new Date(slot.getTime() - DAY);
}

describe('Digests after the service was down across the 07:00 slot, on two replicas', () => {
  let db: TestDatabase;
  let smtp: SmtpSink;
  let prisma: PrismaClient;
  const replicas: ServiceProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    smtp = await SmtpSink.start();
    prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: db.url, max: 2 }) });
  });

  afterAll(async () => {
    for (const replica of replicas) await replica.close();
    await prisma?.$disconnect();
    await smtp?.close();
    await db?.drop();
  });

  it('catches each reader up once, for the missed period, whichever replica ticks or dies', async () => {
    const now = new Date();
    const slot = lastSevenOClock(now);
    // Missed this morning's slot, and readers whose schedule dates from three days ago (down since then).
    const missedOne = await someReaders(prisma, 300, () => ({ tags: ['f12'], nextDigestAt: slot }));
    const missedMany = await someReaders(prisma, 60, () => ({ tags: ['f12'], nextDigestAt: new Date(slot.getTime() - 3 * DAY) }));
    const readers = [...missedOne, ...missedMany];
    await prisma.article.createMany({
      data: Array.from({ length: 8 }, (_, i) => ({
        id: `f12-story-${i}`,
        title: `F12 story ${i}`,
        url: `https://news.example.com/f12-${i}`,
        tags: ['f12'],
        publishedAt: new Date(slot.getTime() - (i * 8 + 1) * HOUR),
      })),
    });
    // Slow enough that the kill below lands mid-send.
    smtp.delay(60);

    const topics = { articles: uniqueName('articles'), dlq: uniqueName('articles-dlq'), group: uniqueName('dispatch') };
    const env = { ...FAST_FAILOVER, DIGEST_TICK_CRON: EVERY_SECOND, SMTP_POOL_SIZE: '2' };
    const [first, second] = await Promise.all([
      ServiceProcess.start({ db, smtp, topics, env }),
      ServiceProcess.start({ db, smtp, topics, env }),
    ]);
    replicas.push(first, second);
    // An editor's run on both at once, on top of both schedulers.
    const runs = await Promise.all(replicas.map((replica) => request(replica.url).post('/digests/run').set(editor).send({ at: new Date().toISOString() })));
    expect(runs.map((run) => run.status)).toEqual([202, 202]);

    await eventually(async () => (smtp.messages.length >= 60 ? true : undefined), 90_000, 20);
    await first.kill9();
    await eventually(async () => ((await prisma.delivery.count({ where: { kind: 'digest' } })) === readers.length ? true : undefined), 90_000);
    smtp.delay(0);
    await outboxSettled(prisma, 120_000);
    await first.restart();
    // Both schedulers keep ticking: give them a few more seconds to do something wrong.
    await sleep(5_000);
    await outboxSettled(prisma, 60_000);

    const rows = await prisma.delivery.findMany({ where: { kind: 'digest' }, select: { subscriberId: true, messageId: true, status: true, payload: true } });
    expect(rows).toHaveLength(readers.length);
    expect(new Set(rows.map((row) => row.subscriberId))).toEqual(new Set(readers.map((reader) => reader.id)));
    // The slot they missed (or, had the clock just passed 07:00, the one after it): one period each.
    const periods = new Set(rows.map((row) => (row.payload as { period?: string }).period));
    const slotDay = slot.toISOString().slice(0, 10);
    const nextDay = new Date(slot.getTime() + DAY).toISOString().slice(0, 10);
    expect([...periods].every((period) => period === slotDay || period === nextDay)).toBe(true);
    expect(rows.every((row) => row.status === 'sent')).toBe(true);
    const counts = receivedCounts(smtp);
    expect(rows.filter((row) => !counts.has(row.messageId))).toEqual([]);
    // Schedules moved past now: the next digest is tomorrow's (or later), not another catch-up.
    const schedules = await prisma.subscriber.findMany({ where: { id: { in: readers.map((r) => r.id) } }, select: { nextDigestAt: true } });
    expect(schedules.every((s) => (s.nextDigestAt as Date).getTime() > now.getTime())).toBe(true);
    // One digest each, for whichever of the two possible periods the catch-up chose.
    const ledger = await expectCleanLedger({ prisma, smtp, env }, new Ledger().expect(emailsTo(readers, 'digest')).faultStruck());
    const twice = [...counts.values()].filter((count) => count > 1).length;
    process.stdout.write(`F12: ${readers.length} catch-up digests; ${ledger.uncertain.length} rows held by the killed replica resent as uncertain, ${twice} of them actually received twice\n`);
  });
});
