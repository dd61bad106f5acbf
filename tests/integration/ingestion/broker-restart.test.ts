import { eventually, startTestApp, TestApp } from '../../support/app';
import { ThrowawayKafkaBroker } from '../../support/kafka-broker';
import { manyArticleEvents, publishEvents } from './article-events';
import { metricValue, waitUntilCaughtUp } from './consumer-group';

jest.setTimeout(300_000);

// RELIABILITY.md F2: the broker goes away and comes back; the same process
// reconnects and resumes from its committed offset — no restart, no replay.

describe('Article ingestion across a broker crash and restart', () => {
  let broker: ThrowawayKafkaBroker;
  let app: TestApp;

  beforeAll(async () => {
    broker = await ThrowawayKafkaBroker.start();
    app = await startTestApp({ env: { KAFKA_BROKERS: broker.brokers.join(','), KAFKA_TOPIC_PARTITIONS: '2' } });
  }, 240_000);

  afterAll(async () => {
    await app?.close();
    await broker?.dispose();
  }, 120_000);

  const publish = (events: Record<string, unknown>[]) => publishEvents(broker.brokers, app.topics.articles, events);

  it('reconnects by itself and goes on from the committed offset', async () => {
    const before = manyArticleEvents('before-crash', 100);
    await publish(before);
    await waitUntilCaughtUp(app);
    const storedBefore = await app.prisma.article.findMany({ select: { id: true, updatedAt: true }, orderBy: { id: 'asc' } });
    expect(storedBefore).toHaveLength(before.length);

    await broker.kill9();
    // Down long enough for the consumer to notice: /health reports Kafka down.
    await eventually(async () => ((await fetch(`${app.url}/health`)).status === 503 ? true : undefined), 60_000, 500);
    await broker.start();
    await eventually(async () => ((await fetch(`${app.url}/health`)).status === 200 ? true : undefined), 120_000, 500);

    const after = manyArticleEvents('after-restart', 100);
    await publish(after);
    await waitUntilCaughtUp(app, 180_000);

    expect(await app.prisma.article.count({ where: { id: { startsWith: 'after-restart-' } } })).toBe(after.length);
    // Nothing before the crash was read or written again.
    expect(await app.prisma.article.findMany({ where: { id: { startsWith: 'before-crash-' } }, select: { id: true, updatedAt: true }, orderBy: { id: 'asc' } })).toEqual(storedBefore);
    expect(await metricValue(app, 'dispatch_events_consumed_total')).toBe(before.length + after.length);
  });
});
