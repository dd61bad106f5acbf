import { PrismaPg } from '@prisma/adapter-pg';
import { Kafka, logLevel } from 'kafkajs';
import { createTransport } from 'nodemailer';
import { Client } from 'pg';
import { PrismaClient } from '../../src/generated/prisma/client';
import { createTestDatabase, TestDatabase, withMaintenanceClient } from '../support/database';
import { consumeAll, createTopic, deleteTopic, kafkaBrokers, produce, uniqueName } from '../support/kafka';
import { ThrowawayKafkaBroker } from '../support/kafka-broker';
import { headerValue, SmtpSink } from '../support/smtp-sink';

// The first check that the pieces every other test stands on work together:
// kafkajs 2.2.4 against the real Kafka 4.1 broker, Prisma through the pg
// adapter in a cloned database, nodemailer into a real SMTP server.

// Real brokers and group joins on a shared 2-core machine: a generous ceiling, not a speed check.
jest.setTimeout(60_000);

describe('Kafka broker (kafkajs against Kafka 4.1)', () => {
  const brokers = kafkaBrokers();
  const topic = uniqueName('foundation');

  afterAll(() => deleteTopic(brokers, topic));

  it('delivers produced messages to a consumer group and lets admin see topic and group offsets', async () => {
    await createTopic(brokers, topic, 2);
    await produce(brokers, topic, [
      { key: 'a', value: 'first', headers: { origin: 'test' } },
      { key: 'b', value: 'second' },
      { key: 'a', value: 'third' },
    ]);
    const groupId = uniqueName('foundation-group');

    const received = await consumeAll(brokers, topic, { count: 3, groupId });

    expect(received.map((message) => message.text).sort()).toEqual(['first', 'second', 'third']);
    const keyA = received.filter((message) => message.key?.toString() === 'a');
    expect(new Set(keyA.map((message) => message.partition)).size).toBe(1);
    expect(keyA.map((message) => message.text)).toEqual(['first', 'third']);
    expect(received.find((message) => message.text === 'first')?.headers.origin?.toString()).toBe('test');

    const admin = new Kafka({ clientId: uniqueName('foundation-admin'), brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      expect(await admin.listTopics()).toContain(topic);
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(metadata.topics[0].partitions).toHaveLength(2);
      const ends = await admin.fetchTopicOffsets(topic);
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const endOf = (partition: number) => ends.find((end) => end.partition === partition)?.high;
      // A partition the group never read from has no commit (-1); the others are read to the end.
      const expected = committed.partitions.map(({ partition }) => (endOf(partition) === '0' ? '-1' : endOf(partition)));
      expect(committed.partitions.map(({ offset }) => offset)).toEqual(expected);
      expect(ends.reduce((sum, end) => sum + Number(end.high), 0)).toBe(3);
    } finally {
      await admin.disconnect();
    }
  });
});

describe('PostgreSQL test database (cloned from the migrated template)', () => {
  let database: TestDatabase;
  let prisma: InstanceType<typeof PrismaClient>;

  beforeAll(async () => {
    database = await createTestDatabase();
    prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: database.url }) });
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await database?.drop();
  });

  it('round-trips a row through Prisma with the pg adapter', async () => {
    const publishedAt = new Date('2026-11-23T09:00:00.000Z');

    await prisma.article.create({
      data: { id: 'foundation-1', title: 'Foundation', url: 'https://example.com/a', tags: ['ainews', 'news'], publishedAt },
    });
    const found = await prisma.article.findUnique({ where: { id: 'foundation-1' } });

    expect(found).toMatchObject({ title: 'Foundation', tags: ['ainews', 'news'], publishedAt });
  });

  it('starts with every migration applied and no data', async () => {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const migrations = await client.query('SELECT count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL');
      expect(migrations.rows[0].n).toBeGreaterThan(0);
      const subscribers = await client.query('SELECT count(*)::int AS n FROM "Subscriber"');
      expect(subscribers.rows[0].n).toBe(0);
    } finally {
      await client.end();
    }
  });

  it('drops the database even while a client is still connected', async () => {
    const extra = await createTestDatabase();
    const lingering = new Client({ connectionString: extra.url });
    lingering.on('error', () => undefined);
    await lingering.connect();

    await extra.drop();

    const exists = await withMaintenanceClient((client) =>
      client.query('SELECT 1 FROM pg_database WHERE datname = $1', [extra.name]),
    );
    expect(exists.rowCount).toBe(0);
    await lingering.end().catch(() => undefined);
  });
});

describe(SmtpSink.name, () => {
  let sut: SmtpSink;

  beforeEach(async () => {
    sut = await SmtpSink.start();
  });

  afterEach(() => sut.close());

  it('receives a nodemailer message and parses it', async () => {
    await createTransport(sut.url).sendMail({
      from: 'Dispatch <news@localhost>',
      to: 'reader@example.com',
      subject: 'Your daily digest',
      messageId: '<digest.s1.2026-11-24@localhost>',
      text: 'plain body',
      html: '<p>html body</p>',
      headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    });

    const [mail] = await sut.waitFor(1, 5000);
    expect(mail.envelope).toEqual({ from: 'news@localhost', to: ['reader@example.com'] });
    expect(mail.messageId).toBe('<digest.s1.2026-11-24@localhost>');
    expect(mail.subject).toBe('Your daily digest');
    expect(mail.text?.trim()).toBe('plain body');
    expect(mail.html).toContain('<p>html body</p>');
    expect(headerValue(mail, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(mail.raw.toString()).toContain('Subject: Your daily digest');
  });

  it('answers the next messages with the failure it was told to, then accepts again', async () => {
    sut.failNext(1, 451);
    const send = () => createTransport(sut.url).sendMail({ from: 'a@localhost', to: 'b@example.com', text: 'x' });

    await expect(send()).rejects.toMatchObject({ responseCode: 451 });
    await send();

    expect(sut.messages).toHaveLength(1);
    expect(sut.events.map((event) => event.outcome)).toEqual(['failed', 'accepted']);
  });

  it('refuses a rejected recipient with 550 and still takes the others', async () => {
    sut.rejectRecipient('gone@example.com');

    const info = await createTransport(sut.url).sendMail({
      from: 'a@localhost',
      to: ['gone@example.com', 'here@example.com'],
      text: 'x',
    });

    expect(info.rejected).toEqual(['gone@example.com']);
    expect(sut.messages[0].envelope.to).toEqual(['here@example.com']);
  });

  it('cuts the connection in the middle of DATA without a reply', async () => {
    sut.dropConnectionMidData(1);

    await expect(createTransport(sut.url).sendMail({ from: 'a@localhost', to: 'b@example.com', text: 'x' })).rejects.toThrow();

    expect(sut.messages).toHaveLength(0);
    expect(sut.events.map((event) => event.outcome)).toEqual(['dropped']);
  });
});

describe(ThrowawayKafkaBroker.name, () => {
  let sut: ThrowawayKafkaBroker;

  beforeAll(async () => {
    sut = await ThrowawayKafkaBroker.start();
  }, 150_000);

  afterAll(() => sut?.dispose(), 30_000);

  it('keeps its data across a kill -9 and a restart on the same ports', async () => {
    const topic = uniqueName('throwaway');
    await createTopic(sut.brokers, topic, 1);
    await produce(sut.brokers, topic, [{ value: 'before crash' }]);

    await sut.kill9();
    expect(sut.pid).toBeUndefined();
    await sut.start();

    const [message] = await consumeAll(sut.brokers, topic, { count: 1 });
    expect(message.text).toBe('before crash');
  }, 150_000);
});
