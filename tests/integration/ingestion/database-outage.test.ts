import { eventually, startTestApp, TestApp } from '../../support/app';
import { theContractExample, manyArticleEvents, publishEvents } from './article-events';
import { groupMembers, metricValue, readTopic, sameOffsets, waitUntilCaughtUp } from './consumer-group';
import { committedOffsets, endOffsets, totalOf } from '../../support/kafka-offsets';
import { allowConnections, refuseConnections } from '../../support/database-availability';

jest.setTimeout(180_000);

// RELIABILITY.md F5: PostgreSQL unavailable during consumption → no offset
// committed past an unapplied event; the consumer waits and resumes by itself.

describe('Article ingestion while the database is unavailable', () => {
  let app: TestApp;

  beforeAll(async () => {
    // One partition: every event of the outage queues behind the first one the consumer is stuck on.
    app = await startTestApp({ env: { KAFKA_TOPIC_PARTITIONS: '1' } });
  });

  afterAll(async () => {
    if (!app) return;
    await allowConnections(app.db);
    await app.close();
  });

  const publish = (events: Record<string, unknown>[]) => publishEvents(app.config.kafka.brokers, app.topics.articles, events);

  it('commits nothing it could not store, and stores every event exactly once when the database returns', async () => {
    const { brokers } = app.config.kafka;
    const before = manyArticleEvents('before', 200);
    await publish(before);
    const committedBefore = await waitUntilCaughtUp(app);
    const consumedBefore = await metricValue(app, 'dispatch_events_consumed_total');

    await refuseConnections(app.db);
    const during = [
      ...manyArticleEvents('during', 300),
      theContractExample({ id: 'before-3', title: 'Updated during the outage', updatedAt: '2026-11-24T00:00:00Z' }),
      theContractExample({ id: 'before-3', title: 'Stale version', updatedAt: '2026-11-22T00:00:00Z' }),
    ];
    try {
      await publish(during);
      // Twice the new events: the consumer has fetched them and tried (at least) again.
      await eventually(async () => ((await metricValue(app, 'dispatch_events_consumed_total')) >= consumedBefore + 2 * during.length ? true : undefined), 90_000, 500);

      const committedWhileDown = await committedOffsets(brokers, app.topics.group, app.topics.articles);
      expect(Object.fromEntries(committedWhileDown)).toEqual(Object.fromEntries(committedBefore));
      expect(totalOf(await endOffsets(brokers, app.topics.dlq))).toBe(0);
    } finally {
      await allowConnections(app.db);
    }

    const committedAfter = await waitUntilCaughtUp(app, 90_000);
    expect(sameOffsets(committedAfter, await endOffsets(brokers, app.topics.articles))).toBe(true);
    expect(await app.prisma.article.count()).toBe(before.length + 300);
    expect(await app.prisma.article.count({ where: { id: { startsWith: 'during-' } } })).toBe(300);
    expect(await app.prisma.article.findUnique({ where: { id: 'before-3' } })).toMatchObject({ title: 'Updated during the outage' });
    expect(await readTopic(brokers, app.topics.dlq)).toHaveLength(0);
  });
});

describe('A rebalance while the database is unavailable', () => {
  let first: TestApp;
  let second: TestApp | undefined;

  beforeAll(async () => {
    first = await startTestApp({ env: { KAFKA_TOPIC_PARTITIONS: '4' } });
  });

  afterAll(async () => {
    if (!first) return;
    await allowConnections(first.db);
    await second?.close();
    await first.close();
  });

  it('lets a new instance join and share the partitions, and loses nothing once the database is back', async () => {
    const { brokers } = first.config.kafka;
    const events = manyArticleEvents('rebalance-outage', 400);
    await refuseConnections(first.db);
    try {
      await publishEvents(brokers, first.topics.articles, events);
      // The first instance is now waiting out the outage inside a batch.
      await eventually(async () => ((await metricValue(first, 'dispatch_events_consumed_total')) > 0 ? true : undefined), 60_000, 250);

      second = await startTestApp({ env: { KAFKA_TOPIC_PARTITIONS: '4' }, db: first.db, smtp: first.smtp, topics: first.topics });

      // A member stuck in its batch must still answer the rebalance, not sit it out until evicted.
      const group = await eventually(async () => {
        const found = await groupMembers(brokers, first.topics.group, first.topics.articles);
        return found.state === 'Stable' && found.members.length === 2 && found.members.every((m) => m.partitions.length > 0) ? found : undefined;
      }, 90_000, 250);
      expect(group.members.flatMap((member) => member.partitions).sort()).toEqual([0, 1, 2, 3]);
      expect(totalOf(await committedOffsets(brokers, first.topics.group, first.topics.articles))).toBe(0);
    } finally {
      await allowConnections(first.db);
    }

    await waitUntilCaughtUp(first, 120_000);
    expect(await first.prisma.article.count()).toBe(events.length);
    expect(await readTopic(brokers, first.topics.dlq)).toHaveLength(0);
  });
});
