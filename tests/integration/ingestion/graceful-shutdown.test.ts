import { Client } from 'pg';
import { eventually, startTestApp, TestApp } from '../../support/app';
import { createTestDatabase, TestDatabase } from '../../support/database';
import { createTopic, kafkaBrokers, uniqueName } from '../../support/kafka';
import { SmtpSink } from '../../support/smtp-sink';
import { manyArticleEvents, publishEvents } from './article-events';
import { groupMembers, metricValue, sameOffsets, waitUntilCaughtUp } from './consumer-group';
import { committedOffsets, endOffsets } from '../../support/kafka-offsets';
import { openSessions } from '../../support/database-availability';

jest.setTimeout(180_000);

// Issue 3 "SIGTERM → finishes the in-flight batch, commits, leaves the group";
// app.close() runs the same shutdown hooks as the signal handler.

describe('Graceful shutdown of the article consumer', () => {
  let db: TestDatabase;
  let smtp: SmtpSink;
  const running = new Set<TestApp>();

  beforeAll(async () => {
    db = await createTestDatabase();
    smtp = await SmtpSink.start();
  });

  // A test that failed half-way must not leave an app consuming into a dropped database.
  afterAll(async () => {
    for (const app of running) await app.close();
    await smtp?.close();
    await db?.drop();
  });

  async function startInstance(topics: TestApp['topics']): Promise<TestApp> {
    const app = await startTestApp({ db, smtp, topics, env: { KAFKA_TOPIC_PARTITIONS: '1' } });
    running.add(app);
    return app;
  }

  async function stop(app: TestApp): Promise<void> {
    running.delete(app);
    await app.close();
  }

  const newTopics = () => ({ articles: uniqueName('articles'), dlq: uniqueName('articles-dlq'), group: uniqueName('dispatch') });

  it('leaves the group with everything it consumed committed up to the end offsets', async () => {
    const app = await startInstance(newTopics());
    const { brokers } = app.config.kafka;
    const events = manyArticleEvents('drained', 300);
    await publishEvents(brokers, app.topics.articles, events);
    await eventually(async () => ((await storedIds(db, 'drained-')).length === events.length ? true : undefined), 60_000);

    await stop(app);

    const committed = await committedOffsets(brokers, app.topics.group, app.topics.articles);
    expect(sameOffsets(committed, await endOffsets(brokers, app.topics.articles))).toBe(true);
    expect((await groupMembers(brokers, app.topics.group, app.topics.articles)).members).toHaveLength(0);
  });

  it('stopped mid-stream, commits exactly what it stored, and the next instance resumes from there', async () => {
    // The backlog is there before the app starts, so it is stopped while working through it.
    const topics = newTopics();
    const brokers = kafkaBrokers();
    const events = manyArticleEvents('midstream', 8000);
    await createTopic(brokers, topics.articles, 1);
    await publishEvents(brokers, topics.articles, events);
    const app = await startInstance(topics);
    await eventually(async () => ((await storedIds(db, 'midstream-')).length > 0 ? true : undefined), 60_000, 20);

    await stop(app);

    const committed = (await committedOffsets(brokers, topics.group, topics.articles)).get(0) ?? 0;
    // Ids are distinct and the partition keeps their order: the offsets below the
    // committed one are exactly the stored articles, none missing, none extra.
    expect(await storedIds(db, 'midstream-')).toEqual(events.slice(0, committed).map((event) => event.id));
    expect(await openSessions(db)).toBe(0);

    const next = await startInstance(topics);
    await waitUntilCaughtUp(next, 120_000);
    expect(await storedIds(db, 'midstream-')).toHaveLength(events.length);
    expect(await metricValue(next, 'dispatch_events_consumed_total')).toBe(events.length - committed);
    await stop(next);
  });
});

/** Read with a client of its own, in publishing order: a closed app's Prisma client is gone. */
async function storedIds(db: TestDatabase, prefix: string): Promise<string[]> {
  const client = new Client({ connectionString: db.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>(`SELECT id FROM "Article" WHERE starts_with(id, $1) ORDER BY "publishedAt"`, [prefix]);
    return rows.map((row) => row.id);
  } finally {
    await client.end();
  }
}
