import request from 'supertest';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from '../support/app';
import { withMaintenanceClient } from '../support/database';
import { ServiceProcess } from '../support/service-process';
import {
  allowConnections,
  anArticleEvent,
  caughtUp,
  committedTotal,
  editor,
  emailsTo,
  endTotal,
  expectCleanLedger,
  FAST_FAILOVER,
  Ledger,
  manyArticleEvents,
  onDatabase,
  outboxSettled,
  publishEvents,
  refuseConnections,
  someReaders,
} from './fixtures';

jest.setTimeout(300_000);

// RELIABILITY.md F5 and F6: PostgreSQL goes away for this service only (its
// database refuses connections and every session is ended — the shared server
// keeps running) while the consumer is mid-stream and while a digest run is
// being decided and sent. Nothing may be committed, claimed or lost past the
// outage, and the same process must resume by itself.

const OUTAGE_MS = 8_000;
const STORM_MS = 10_000;
const HOUR = 3_600_000;

async function health(service: ServiceProcess): Promise<number> {
  return (await fetch(`${service.url}/health`)).status;
}

describe('PostgreSQL unavailable', () => {
  let service: ServiceProcess;
  const ledger = new Ledger();

  beforeAll(async () => {
    // A realistic lease (one minute): an outage shorter than it must not turn sent rows uncertain.
    service = await ServiceProcess.start({ env: { ...FAST_FAILOVER, DELIVERY_LEASE_SECONDS: '60', KAFKA_TOPIC_PARTITIONS: '1' } });
  });

  afterAll(async () => {
    if (service) await allowConnections(service.db);
    await service?.close();
  });

  it('F5: during consumption commits no offset past an unapplied event and resumes by itself', async () => {
    const brokers = service.env.KAFKA_BROKERS.split(',');
    const { articles, group } = service.topics;
    const readers = await someReaders(service.prisma, 25, () => ({ tags: ['f5'] }));
    ledger.expect(emailsTo(readers, 'alert'));
    const first = manyArticleEvents('f5-first', 6000);
    await publishEvents(brokers, articles, first);
    await eventually(async () => ((await service.prisma.article.count()) > 0 ? true : undefined), 60_000, 20);

    ledger.faultStruck();
    await refuseConnections(service.db);
    try {
      // Published while the database is down, breaking news among them.
      await publishEvents(brokers, articles, [anArticleEvent({ id: 'f5-breaking', tags: ['f5'], breaking: true, publishedAt: new Date().toISOString() }), ...manyArticleEvents('f5-second', 500)]);
      await eventually(async () => ((await health(service)) === 503 ? true : undefined), 30_000);
      const committedAtStart = await committedTotal(brokers, group, articles);
      await sleep(OUTAGE_MS);
      const committedDuringOutage = await committedTotal(brokers, group, articles);
      // At most the chunk that was being stored as the outage began got in; nothing after.
      expect(committedDuringOutage - committedAtStart).toBeLessThanOrEqual(500);
      expect(committedDuringOutage).toBeLessThan(first.length);
    } finally {
      await allowConnections(service.db);
    }

    await eventually(async () => ((await health(service)) === 200 ? true : undefined), 60_000);
    await caughtUp(brokers, group, articles, 120_000);
    // Everything below the offset committed during the outage had been stored before it.
    expect(await service.prisma.article.count()).toBe(first.length + 501);
    expect(await endTotal(brokers, service.topics.dlq)).toBe(0);
    expect(await service.prisma.alert.count({ where: { articleId: 'f5-breaking' } })).toBe(1);
    await outboxSettled(service.prisma, 120_000);
    expect(await service.prisma.delivery.count({ where: { status: 'sent', subscriberId: { in: readers.map((r) => r.id) } } })).toBe(readers.length);
    await expectCleanLedger(service, ledger);
  });

  it('F6: during a digest run and its sends claims nothing it cannot record, loses nothing, and finishes when asked again', async () => {
    const at = new Date('2026-11-22T07:00:00Z');
    const readers = await someReaders(service.prisma, 2500, () => ({ tags: ['f6'], nextDigestAt: new Date(0) }));
    ledger.expect(emailsTo(readers, 'digest', '2026-11-22'));
    await service.prisma.article.createMany({
      data: Array.from({ length: 5 }, (_, i) => ({
        id: `f6-story-${i}`,
        title: `F6 story ${i}`,
        url: `https://news.example.com/f6-${i}`,
        tags: ['f6'],
        publishedAt: new Date(at.getTime() - (i + 1) * HOUR),
      })),
    });
    // Every claim is logged with the database's clock, outside the service's code.
    await onDatabase(service.db, async (client) => {
      await client.query('CREATE TABLE claim_log ("deliveryId" bigint, "at" timestamptz DEFAULT clock_timestamp())');
      await client.query(`
        CREATE FUNCTION log_claim() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO claim_log ("deliveryId") VALUES (NEW."id"); RETURN NULL; END $$`);
      await client.query(`
        CREATE TRIGGER log_claim AFTER UPDATE ON "Delivery"
        FOR EACH ROW WHEN (NEW."status" = 'sending' AND OLD."status" IS DISTINCT FROM 'sending') EXECUTE FUNCTION log_claim()`);
    });
    service.smtp.delay(20);
    const sentBefore = service.smtp.messages.length;

    const started = await request(service.url).post('/digests/run').set(editor).send({ at: at.toISOString() });
    expect(started.status).toBe(202);
    await eventually(async () => (service.smtp.messages.length > sentBefore + 100 ? true : undefined), 60_000, 20);

    ledger.faultStruck();
    await refuseConnections(service.db);
    const outageStarted = new Date();
    let acceptedDuringOutage: string[];
    try {
      await sleep(OUTAGE_MS);
    } finally {
      acceptedDuringOutage = service.smtp.messages.filter((mail) => mail.receivedAt >= outageStarted).map((mail) => mail.messageId ?? '');
      await allowConnections(service.db);
    }

    // The run may have died with the database; asking again (as the next tick would) finishes it.
    await eventually(async () => ((await health(service)) === 200 ? true : undefined), 60_000);
    const again = await request(service.url).post('/digests/run').set(editor).send({ at: at.toISOString() });
    expect(again.status).toBe(202);
    service.smtp.delay(0);
    const mine = { kind: 'digest' as const, subscriberId: { in: readers.map((r) => r.id) } };
    await eventually(async () => ((await service.prisma.delivery.count({ where: mine })) === readers.length ? true : undefined), 120_000);
    await outboxSettled(service.prisma, 180_000);

    // Whatever the server accepted during the outage had been claimed before it began.
    const claimedBeforeOutage = await onDatabase(service.db, async (client) => {
      const { rows } = await client.query<{ messageId: string }>(
        `SELECT DISTINCT d."messageId" FROM claim_log c JOIN "Delivery" d ON d."id" = c."deliveryId" WHERE c."at" < $1`,
        [outageStarted],
      );
      return new Set(rows.map((row) => row.messageId));
    });
    expect(acceptedDuringOutage.filter((id) => !claimedBeforeOutage.has(id))).toEqual([]);
    const rows = await service.prisma.delivery.findMany({ where: mine, select: { status: true, uncertainResends: true } });
    expect(rows.every((row) => row.status === 'sent')).toBe(true);
    // The outage was shorter than the lease: sent rows were recorded late, never turned uncertain and resent.
    expect(rows.filter((row) => row.uncertainResends > 0)).toEqual([]);
    const report = await expectCleanLedger(service, ledger);
    expect(report.duplicate).toEqual([]);
    process.stdout.write(`F6: ${acceptedDuringOutage.length} emails accepted during the ${OUTAGE_MS} ms outage, all claimed before it\n`);
  });

  it('connections killed over and over mid-run (pg_terminate_backend): the same process loses nothing and sends each email once', async () => {
    const brokers = service.env.KAFKA_BROKERS.split(',');
    const { articles, group, dlq } = service.topics;
    const at = new Date('2026-11-22T19:00:00Z');
    const readers = await someReaders(service.prisma, 800, () => ({ tags: ['storm'], nextDigestAt: new Date(0), sendHour: 19 }));
    ledger.expect(emailsTo(readers, 'digest', '2026-11-22')).expect(emailsTo(readers, 'alert'));
    await service.prisma.article.createMany({
      data: Array.from({ length: 4 }, (_, i) => ({
        id: `storm-story-${i}`,
        title: `Storm story ${i}`,
        url: `https://news.example.com/storm-${i}`,
        tags: ['storm'],
        publishedAt: new Date(at.getTime() - (i + 1) * HOUR),
      })),
    });
    const articlesBefore = await service.prisma.article.count();
    const events = [anArticleEvent({ id: 'storm-breaking', tags: ['storm'], breaking: true, publishedAt: new Date().toISOString() }), ...manyArticleEvents('storm-stream', 3000)];
    const pid = service.pid;
    service.smtp.delay(5);

    const run = await request(service.url).post('/digests/run').set(editor).send({ at: at.toISOString() });
    expect(run.status).toBe(202);
    await publishEvents(brokers, articles, events);
    let kills = 0;
    ledger.faultStruck();
    const stormUntil = Date.now() + STORM_MS;
    while (Date.now() < stormUntil) {
      kills += await withMaintenanceClient(async (client) => {
        const { rowCount } = await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [service.db.name]);
        return rowCount ?? 0;
      });
      await sleep(300);
    }
    service.smtp.delay(0);

    await caughtUp(brokers, group, articles, 180_000);
    // The run may have died with one of its connections; asking again finishes it.
    const again = await request(service.url).post('/digests/run').set(editor).send({ at: at.toISOString() });
    expect(again.status).toBe(202);
    const mine = { subscriberId: { in: readers.map((r) => r.id) } };
    await eventually(async () => ((await service.prisma.delivery.count({ where: { kind: 'digest', ...mine } })) === readers.length ? true : undefined), 120_000);
    await eventually(async () => ((await service.prisma.delivery.count({ where: { kind: 'alert', ...mine } })) === readers.length ? true : undefined), 120_000);
    await outboxSettled(service.prisma, 180_000);

    expect(service.pid).toBe(pid);
    // Health answers from checks a background task makes every few seconds: it turns green at its next round.
    await eventually(async () => ((await health(service)) === 200 ? true : undefined), 15_000);
    expect(await service.prisma.article.count()).toBe(articlesBefore + events.length);
    expect(await endTotal(brokers, dlq)).toBe(0);
    expect(await service.prisma.alert.count({ where: { articleId: 'storm-breaking' } })).toBe(1);
    const rows = await service.prisma.delivery.findMany({ where: mine, select: { kind: true, status: true, uncertainResends: true } });
    expect(rows.filter((row) => row.status !== 'sent')).toEqual([]);
    const report = await expectCleanLedger(service, ledger);
    process.stdout.write(`storm: ${kills} sessions terminated over ${STORM_MS} ms; ${rows.length} emails, ${rows.filter((row) => row.uncertainResends > 0).length} resent as uncertain, ${report.uncertain.length} counted uncertain\n`);
  });
});
