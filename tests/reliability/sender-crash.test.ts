import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { eventually } from '../support/app';
import { ServiceProcess } from '../support/service-process';
import {
  anArticleEvent,
  editor,
  endSleepingSessions,
  emailsTo,
  expectCleanLedger,
  FAST_FAILOVER,
  holdOutboxInsertsAfter,
  ineligibleReaders,
  Ledger,
  metric,
  onDatabase,
  outboxSettled,
  receivedCounts,
  releaseOutboxInserts,
  sleepingSessions,
  someReaders,
} from './fixtures';

jest.setTimeout(300_000);

// The service SIGKILLed while it sends: RELIABILITY.md F7 (between the SMTP
// server's 250 and the `sent` update), and issue 8's "during a digest run and
// during an alert fan-out, then restarted". One service process, restarted after
// each kill; the ledger is checked over everything it ever sent.

const HOUR = 3_600_000;
const POOL_SIZE = 4;

describe('The sender killed mid-send and restarted', () => {
  let service: ServiceProcess;
  const ledger = new Ledger();

  beforeAll(async () => {
    service = await ServiceProcess.start({ env: { ...FAST_FAILOVER, SMTP_POOL_SIZE: String(POOL_SIZE) } });
  });

  afterAll(async () => {
    await service?.close();
  });

  const postAlert = (body: object) => request(service.url).post('/alerts').set(editor).send(body);

  it('F7: messages accepted by SMTP but not recorded (at most one per connection) turn uncertain after their lease, are resent once with their Message-ID, and are counted', async () => {
    const readers = await someReaders(service.prisma, 30, () => ({ tags: ['f7'] }));
    await ineligibleReaders(service.prisma, 'f7', ledger);
    // Every "sent" update stalls: the process dies after the server's 250, before its record.
    await onDatabase(service.db, async (client) => {
      await client.query(`CREATE FUNCTION hold_sent() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(600); RETURN NEW; END $$`);
      await client.query(`
        CREATE TRIGGER hold_sent BEFORE UPDATE ON "Delivery"
        FOR EACH ROW WHEN (OLD."status" = 'sending' AND NEW."status" = 'sent') EXECUTE FUNCTION hold_sent()`);
    });

    const created = await postAlert({ article: anArticleEvent({ id: 'f7-story', tags: ['f7'], publishedAt: new Date().toISOString() }) });
    expect(created.status).toBe(202);
    const { alertId } = created.body as { alertId: string };
    ledger.expect(emailsTo(readers, 'alert', alertId));
    await eventually(async () => ((await sleepingSessions(service.db)) > 0 ? true : undefined), 30_000);
    // With nothing recorded, the sends stop once every connection's email waits for its record.
    await sleep(2_000);
    const beforeKill = receivedCounts(service.smtp);
    expect(beforeKill.size).toBeGreaterThan(0);
    expect(beforeKill.size).toBeLessThanOrEqual(POOL_SIZE);

    ledger.faultStruck();
    await service.kill9();
    await endSleepingSessions(service.db);
    await onDatabase(service.db, (client) => client.query('DROP TRIGGER hold_sent ON "Delivery"'));
    const rows = await service.prisma.delivery.findMany({ where: { alertId } });
    expect(rows.map((row) => row.status)).toEqual(readers.map(() => 'sending'));

    await service.restart();
    await outboxSettled(service.prisma, 120_000);

    const after = await service.prisma.delivery.findMany({ where: { alertId } });
    // Every row the dead process held comes back uncertain: it cannot be told which were on the wire.
    expect(after.map((row) => [row.status, row.uncertainResends])).toEqual(readers.map(() => ['sent', 1]));
    const counts = receivedCounts(service.smtp);
    // Only those the server had before the kill arrive twice, with the same Message-ID.
    expect(after.map((row) => counts.get(row.messageId))).toEqual(after.map((row) => (beforeKill.has(row.messageId) ? 2 : 1)));
    expect(await metric(service.url, 'dispatch_deliveries_uncertain_total')).toBe(readers.length);
    await expectCleanLedger(service, ledger);
  });

  it('SIGKILL during a digest run: the restarted service finishes the run, one digest per reader', async () => {
    const at = new Date('2026-11-21T07:00:00Z');
    // One more than a run's batch of 2,000: the second batch is the one the crash interrupts.
    const readers = await someReaders(service.prisma, 2100, () => ({ tags: ['digest-crash'], nextDigestAt: new Date(0) }));
    const mine = { subscriberId: { in: readers.map((reader) => reader.id) } };
    await service.prisma.article.createMany({
      data: Array.from({ length: 6 }, (_, i) => ({
        id: `digest-crash-${i}`,
        title: `Digest story ${i}`,
        url: `https://news.example.com/digest-crash-${i}`,
        tags: ['digest-crash'],
        publishedAt: new Date(at.getTime() - (i + 1) * HOUR),
      })),
    });
    // The run's first batch (2,000 readers) commits and starts sending; the second is frozen mid-transaction.
    await holdOutboxInsertsAfter(service.db, 1);
    ledger.expect(emailsTo(readers, 'digest', '2026-11-21'));
    const digestRows = () => service.prisma.delivery.count({ where: { kind: 'digest', ...mine } });
    const advanced = () => service.prisma.subscriber.count({ where: { nextDigestAt: { gt: at } } });

    const started = await request(service.url).post('/digests/run').set(editor).send({ at: at.toISOString() });
    expect(started.status).toBe(202);
    // Readers of the other tests were given a schedule by the run's repair step: they are due too.
    expect(started.body.due).toBeGreaterThanOrEqual(readers.length);
    await eventually(async () => ((await sleepingSessions(service.db)) > 0 && service.smtp.messages.length > 100 ? true : undefined), 90_000, 50);
    const queuedBeforeKill = await digestRows();
    expect(queuedBeforeKill).toBeGreaterThan(0);
    expect(queuedBeforeKill).toBeLessThan(readers.length);
    const decidedBeforeKill = await advanced();

    ledger.faultStruck();
    await service.kill9();
    await releaseOutboxInserts(service.db);
    await service.restart();
    // The scheduler's catch-up, by hand: whoever the killed run had not reached is still due.
    const resumed = await request(service.url).post('/digests/run').set(editor).send({ at: at.toISOString() });
    expect(resumed.status).toBe(202);
    expect(resumed.body.due).toBe(started.body.due - decidedBeforeKill);
    await eventually(async () => ((await digestRows()) === readers.length ? true : undefined), 90_000);
    await outboxSettled(service.prisma, 180_000);

    const rows = await service.prisma.delivery.findMany({ where: { kind: 'digest', ...mine }, select: { subscriberId: true, status: true, payload: true } });
    expect(rows).toHaveLength(readers.length);
    expect(new Set(rows.map((row) => row.subscriberId)).size).toBe(readers.length);
    expect(rows.every((row) => row.status === 'sent' && (row.payload as { period?: string }).period === '2026-11-21')).toBe(true);
    await expectCleanLedger(service, ledger);
  });

  it('SIGKILL during an alert fan-out: the restarted service resumes it, every reader alerted once', async () => {
    const readers = await someReaders(service.prisma, 2500, () => ({ tags: ['fanout-crash'] }));
    // The first slice of the audience (200) is written and sending, the next is frozen: the process dies mid-fan-out.
    await holdOutboxInsertsAfter(service.db, 1);
    const created = await postAlert({ article: anArticleEvent({ id: 'fanout-crash-story', tags: ['fanout-crash'], publishedAt: new Date().toISOString() }) });
    expect(created.status).toBe(202);
    const { alertId } = created.body as { alertId: string };
    ledger.expect(emailsTo(readers, 'alert', alertId));
    await eventually(async () => ((await sleepingSessions(service.db)) > 0 ? true : undefined), 60_000);
    const queuedBeforeKill = await service.prisma.delivery.count({ where: { alertId } });
    expect(queuedBeforeKill).toBeGreaterThan(0);
    expect(queuedBeforeKill).toBeLessThan(readers.length);
    expect((await service.prisma.alert.findUniqueOrThrow({ where: { id: alertId } })).fannedOutAt).toBeNull();

    ledger.faultStruck();
    await service.kill9();
    await releaseOutboxInserts(service.db);
    await service.restart();

    await eventually(async () => ((await service.prisma.alert.findUniqueOrThrow({ where: { id: alertId } })).fannedOutAt ? true : undefined), 90_000);
    await outboxSettled(service.prisma, 180_000);

    const rows = await service.prisma.delivery.findMany({ where: { alertId }, select: { subscriberId: true, status: true } });
    expect(rows).toHaveLength(readers.length);
    expect(rows.every((row) => row.status === 'sent')).toBe(true);
    expect(await service.prisma.alert.count({ where: { articleId: 'fanout-crash-story' } })).toBe(1);
    const status = await request(service.url).get(`/alerts/${alertId}`).set(editor);
    expect(status.body).toMatchObject({ status: 'sent', recipients: readers.length, sent: readers.length, failed: 0 });
    await expectCleanLedger(service, ledger);
  });
});
