import { Kafka, logLevel } from 'kafkajs';
import request from 'supertest';
import { eventually } from '../support/app';
import { produce, uniqueName } from '../support/kafka';
import { ServiceProcess } from '../support/service-process';
import {
  anArticleEvent,
  articleMessage,
  caughtUp,
  committedTotal,
  emailsTo,
  endSleepingSessions,
  expectCleanLedger,
  FAST_FAILOVER,
  ineligibleReaders,
  Ledger,
  manyArticleEvents,
  onDatabase,
  outboxSettled,
  receivedCounts,
  sleepingSessions,
  someReaders,
} from './fixtures';

jest.setTimeout(240_000);

// RELIABILITY.md F1: kill -9 the consumer after its database writes and before
// its offset commit. The batch holds plain articles and two breaking ones; a
// trigger holds the second alert's insert, so the process dies with the chunk's
// articles stored, the first alert created and fanned out, the second article
// stored without its alert, and nothing committed. Redelivery must change
// nothing but what is missing: one row per article, one alert per breaking
// article, one email per reader per alert.

describe('The consumer killed between its database writes and its offset commit', () => {
  let service: ServiceProcess;

  beforeAll(async () => {
    service = await ServiceProcess.start({ env: { ...FAST_FAILOVER, KAFKA_TOPIC_PARTITIONS: '1' } });
    await onDatabase(service.db, async (client) => {
      await client.query(`
        CREATE FUNCTION hold_alert() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_sleep(600); RETURN NEW; END $$`);
      await client.query(`
        CREATE TRIGGER hold_alert BEFORE INSERT ON "Alert"
        FOR EACH ROW WHEN (NEW."articleId" = 'crash-b') EXECUTE FUNCTION hold_alert()`);
    });
  });

  afterAll(async () => {
    await service?.close();
  });

  it('is redelivered after the restart: one article each, no second alert, every reader mailed once', async () => {
    const brokers = service.env.KAFKA_BROKERS.split(',');
    const { articles, group } = service.topics;
    const readers = await someReaders(service.prisma, 20, () => ({ tags: ['news'] }));
    const ledger = new Ledger();
    await ineligibleReaders(service.prisma, 'news', ledger);
    const now = new Date().toISOString();
    const events = [
      ...manyArticleEvents('plain-before', 10),
      anArticleEvent({ id: 'crash-a', breaking: true, publishedAt: now }),
      anArticleEvent({ id: 'crash-b', breaking: true, publishedAt: now }),
      ...manyArticleEvents('plain-after', 10),
    ];
    await produce(brokers, articles, events.map(articleMessage));

    const firstAlert = await eventually(async () => {
      const alert = await service.prisma.alert.findFirst({ where: { articleId: 'crash-a' } });
      if (!alert || (await sleepingSessions(service.db)) === 0) return undefined;
      return (await service.prisma.delivery.count({ where: { alertId: alert.id } })) === readers.length ? alert : undefined;
    }, 90_000);
    expect(await service.prisma.article.count()).toBe(events.length);
    // The window under test: everything of the chunk stored, no offset committed.
    expect(await committedTotal(brokers, group, articles)).toBe(0);

    ledger.faultStruck();
    await service.kill9();
    // The dead client's session would end on its own once PostgreSQL noticed; end it now.
    await endSleepingSessions(service.db);
    await onDatabase(service.db, (client) => client.query('DROP TRIGGER hold_alert ON "Alert"'));
    await service.restart();

    await caughtUp(brokers, group, articles, 120_000);
    await eventually(async () => ((await service.prisma.alert.count()) === 2 ? true : undefined), 60_000);
    await outboxSettled(service.prisma, 120_000);

    expect(await service.prisma.article.count()).toBe(events.length);
    const alerts = await service.prisma.alert.findMany({ orderBy: { articleId: 'asc' } });
    expect(alerts.map((alert) => [alert.articleId, alert.sequence])).toEqual([
      ['crash-a', 0],
      ['crash-b', 0],
    ]);
    expect(alerts[0].id).toBe(firstAlert.id);
    for (const alert of alerts) {
      const rows = await service.prisma.delivery.findMany({ where: { alertId: alert.id } });
      expect(rows.map((row) => row.subscriberId).sort()).toEqual(readers.map((reader) => reader.id).sort());
      expect(rows.every((row) => row.status === 'sent')).toBe(true);
    }
    for (const alert of alerts) ledger.expect(emailsTo(readers, 'alert', alert.id));
    const report = await expectCleanLedger(service, ledger);
    expect(report.expected).toBe(2 * readers.length);
    const counts = receivedCounts(service.smtp);
    for (const alert of alerts) {
      for (const reader of readers) expect(counts.get(`<alert.${alert.id}.${reader.id}@dispatch.test>`) ?? 0).toBeGreaterThanOrEqual(1);
    }
  });
});

// Found while building F1: after a SIGKILL the replacement process did not listen on
// HTTP until its consumer was back in the group, and the group first waits out the
// dead member's session (30 s by default) — /health unreachable that long after every
// crash, long enough for a liveness probe to kill the replacement as well.
describe('A replacement process after a crash', () => {
  const SESSION_MS = 120_000;
  let service: ServiceProcess;

  beforeAll(async () => {
    service = await ServiceProcess.start({ env: { ...FAST_FAILOVER, KAFKA_SESSION_TIMEOUT_MS: String(SESSION_MS) } });
  });

  afterAll(async () => {
    await service?.close();
  });

  async function group(): Promise<{ state: string; members: string[] }> {
    const admin = new Kafka({ clientId: uniqueName('reliability-admin'), brokers: service.env.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const [described] = (await admin.describeGroups([service.topics.group])).groups;
      return { state: described.state, members: described.members.map((member) => member.memberId) };
    } finally {
      await admin.disconnect();
    }
  }

  it('serves HTTP while its consumer still waits for the group to give up on the dead member', async () => {
    const before = await eventually(async () => {
      const found = await group();
      return found.state === 'Stable' && found.members.length === 1 ? found : undefined;
    }, 60_000);

    await service.kill9();
    await service.restart();

    // /health answered 200 and the API works, yet the group has not taken the new process in.
    const after = await group();
    // Either the dead member alone, or a rebalance still waiting for it: the new process is not in yet.
    const newProcessIn = after.state === 'Stable' && !(after.members.length === 1 && after.members[0] === before.members[0]);
    expect({ state: after.state, newProcessIn }).toMatchObject({ newProcessIn: false });
    const health = (await request(service.url).get('/health')).body as { checks: { consumer: { status: string } } };
    expect(health.checks.consumer.status).toBe('up');
    const subscribed = await request(service.url).post('/subscriptions').send({ email: 'after-crash@readers.test', tags: ['news'] });
    expect(subscribed.status).toBe(202);
  });
});
