import { eventually, startTestApp, TestApp } from '../../support/app';
import { manyArticleEvents, publishEvents } from './article-events';
import { groupMembers, metricValue, readTopic, waitUntilCaughtUp } from './consumer-group';

jest.setTimeout(180_000);

// Issue 3 "Scale-out": instances of one deployment share the consumer group and
// split the partitions; each event is still stored once.

const PARTITIONS = '4';

async function startInstance(shared?: TestApp): Promise<TestApp> {
  const env = { KAFKA_TOPIC_PARTITIONS: PARTITIONS };
  return shared ? startTestApp({ env, db: shared.db, smtp: shared.smtp, topics: shared.topics }) : startTestApp({ env });
}

/** Events this instance wrote to the database (its own counter). */
const storedBy = (app: TestApp) => metricValue(app, 'dispatch_events_stored_total');

describe('Two instances in one consumer group', () => {
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    first = await startInstance();
    second = await startInstance(first);
  });

  // The instance that owns the database and SMTP sink goes last.
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  const publish = (events: Record<string, unknown>[]) => publishEvents(first.config.kafka.brokers, first.topics.articles, events);
  it('splits the 4 partitions between both instances and stores every event exactly once', async () => {
    const { brokers } = first.config.kafka;
    const group = await eventually(async () => {
      const found = await groupMembers(brokers, first.topics.group, first.topics.articles);
      const settled = found.state === 'Stable' && found.members.length === 2 && found.members.every((m) => m.partitions.length > 0);
      return settled ? found : undefined;
    }, 60_000, 250);
    expect(group.members.flatMap((member) => member.partitions).sort()).toEqual([0, 1, 2, 3]);

    const events = manyArticleEvents('split', 2000);
    await publish(events);
    await waitUntilCaughtUp(first, 120_000);

    expect(await first.prisma.article.count()).toBe(events.length);
    const [byFirst, bySecond] = [await storedBy(first), await storedBy(second)];
    expect(byFirst).toBeGreaterThan(0);
    expect(bySecond).toBeGreaterThan(0);
    // A stable group redelivers nothing: each event was written by exactly one instance, once.
    expect(byFirst + bySecond).toBe(events.length);
    expect(await readTopic(brokers, first.topics.dlq)).toHaveLength(0);
  });
});

describe('An instance joining while the group is consuming', () => {
  let first: TestApp;
  let second: TestApp | undefined;

  beforeAll(async () => {
    first = await startInstance();
  });

  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  it('loses nothing across the rebalance and leaves one row per article', async () => {
    const { brokers } = first.config.kafka;
    const events = manyArticleEvents('rebalance', 6000);
    await publishEvents(brokers, first.topics.articles, events);
    await eventually(async () => ((await first.prisma.article.count()) > 0 ? true : undefined), 60_000);

    second = await startInstance(first);
    await waitUntilCaughtUp(first, 120_000);

    expect(await first.prisma.article.count()).toBe(events.length);
    // Redelivery after a rebalance is allowed (at-least-once); loss is not.
    expect((await storedBy(first)) + (await storedBy(second))).toBeGreaterThanOrEqual(events.length);
    expect(await readTopic(brokers, first.topics.dlq)).toHaveLength(0);
  });
});
