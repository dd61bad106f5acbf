import { eventually } from '../support/app';
import { produce } from '../support/kafka';
import { ServiceProcess } from '../support/service-process';
import { anArticleEvent, articleMessage, caughtUp, FAST_FAILOVER, manyArticleEvents, metric, onDatabase } from './fixtures';

jest.setTimeout(240_000);

// RELIABILITY.md F4: kafkajs heartbeats only between messages, so a handler slower
// than the session timeout gets its member evicted; its offset commit then fails,
// the batch is redelivered to the same slow handler, and the loop never ends.
// The slowness is injected from outside the code: a trigger that sleeps in
// PostgreSQL while one article is written, longer than the 6 s session.

const SESSION_MS = Number(FAST_FAILOVER.KAFKA_SESSION_TIMEOUT_MS);
const STALL_SECONDS = (SESSION_MS * 2) / 1000;

describe('A handler slower than the Kafka session timeout', () => {
  let service: ServiceProcess;

  beforeAll(async () => {
    service = await ServiceProcess.start({ env: { ...FAST_FAILOVER, KAFKA_TOPIC_PARTITIONS: '1' } });
    await onDatabase(service.db, async (client) => {
      await client.query('CREATE SEQUENCE slow_writes');
      // nextval is not transactional: it counts every attempt, even one whose work was rolled back.
      await client.query(`
        CREATE FUNCTION stall_slow_article() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM nextval('slow_writes');
          PERFORM pg_sleep(${STALL_SECONDS});
          RETURN NEW;
        END $$`);
      await client.query(`
        CREATE TRIGGER stall_slow_article BEFORE INSERT OR UPDATE ON "Article"
        FOR EACH ROW WHEN (NEW."id" = 'slow-article') EXECUTE FUNCTION stall_slow_article()`);
    });
  });

  afterAll(async () => {
    await service?.close();
  });

  it('keeps its membership while the write stalls, commits, and applies the event once', async () => {
    const brokers = service.env.KAFKA_BROKERS.split(',');
    const events = [...manyArticleEvents('before-slow', 50), anArticleEvent({ id: 'slow-article' }), ...manyArticleEvents('after-slow', 50)];
    await produce(brokers, service.topics.articles, events.map(articleMessage));

    await caughtUp(brokers, service.topics.group, service.topics.articles, 150_000);

    const writes = await onDatabase(service.db, async (client) => (await client.query<{ n: string }>('SELECT last_value AS n FROM slow_writes')).rows[0].n);
    expect(Number(writes)).toBe(1);
    expect(await service.prisma.article.count()).toBe(events.length);
    expect(await metric(service.url, 'dispatch_events_consumed_total')).toBe(events.length);
    expect(service.logs().filter((line) => line.includes('consumer crashed'))).toEqual([]);
    // Nothing left to do: no later redelivery of the slow batch either.
    await eventually(async () => ((await metric(service.url, 'dispatch_consumer_lag')) === 0 ? true : undefined), 30_000);
  });
});
