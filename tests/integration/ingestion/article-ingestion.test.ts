import type { Message } from 'kafkajs';
import { MetricsService } from '../../../src/metrics/metrics.service';
import { eventually, startTestApp, TestApp } from '../../support/app';
import { ConsumedMessage, produce } from '../../support/kafka';
import { theContractExample, articleMessage } from './article-events';
import { maxMessageBytes, readTopic, waitUntilCaughtUp } from './consumer-group';

jest.setTimeout(120_000);

function bytesOf(value: Buffer | string | null | undefined): Buffer | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

function sameBytes(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}

// Issue 3 / CONTRACT.md "Article events (Kafka)": the real consumer against the
// real broker and database; each test uses article ids of its own.

describe('Article ingestion from Kafka', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
  });

  afterAll(() => app?.close());

  const publish = (messages: Message[]) => produce(app.config.kafka.brokers, app.topics.articles, messages);
  const stored = (id: string) => app.prisma.article.findUnique({ where: { id } });
  const rowsWithId = (id: string) => app.prisma.article.count({ where: { id } });

  it('stores a valid event with its tags normalised', async () => {
    const event = theContractExample({ id: 'valid-1', tags: ['#AINews', '  News ', 'ainews', 'SyntheticData'] });

    await publish([articleMessage(event)]);

    const article = await eventually(() => stored('valid-1').then((row) => row ?? undefined));
    expect(article).toMatchObject({
      id: 'valid-1',
      title: event.title,
      url: event.url,
      summary: event.summary,
      author: 'Editorial Staff',
      imageUrl: 'https://example.com/img/musk.jpg',
      breaking: false,
      tags: ['ainews', 'news', 'syntheticdata'],
      publishedAt: new Date('2026-11-23T09:00:00Z'),
    });
  });

  it('treats the same id again as an update of the one article', async () => {
    const first = theContractExample({ id: 'update-1', title: 'First draft', publishedAt: '2026-11-23T09:00:00Z' });
    const second = theContractExample({ id: 'update-1', title: 'Corrected headline', tags: ['Politics'], publishedAt: '2026-11-23T09:05:00Z' });

    await publish([articleMessage(first)]);
    await eventually(() => stored('update-1').then((row) => row ?? undefined));
    await publish([articleMessage(second)]);
    await waitUntilCaughtUp(app);

    expect(await rowsWithId('update-1')).toBe(1);
    expect(await stored('update-1')).toMatchObject({ title: 'Corrected headline', tags: ['politics'] });
  });

  it('changes nothing when the very same event is delivered twice', async () => {
    const event = theContractExample({ id: 'redelivered-1' });
    await publish([articleMessage(event)]);
    await waitUntilCaughtUp(app);
    const before = await stored('redelivered-1');

    await publish([articleMessage(event)]);
    await waitUntilCaughtUp(app);

    expect(await rowsWithId('redelivered-1')).toBe(1);
    expect(await stored('redelivered-1')).toMatchObject({ title: before?.title, tags: before?.tags, publishedAt: before?.publishedAt });
  });

  const staleCount = async () => (await app.app.get(MetricsService).registry.getSingleMetric('dispatch_events_stale_total')?.get())?.values[0]?.value ?? 0;
  const storedCount = async () => (await app.app.get(MetricsService).registry.getSingleMetric('dispatch_events_stored_total')?.get())?.values[0]?.value ?? 0;

  it('ignores a version whose updatedAt is older than the stored one, and counts it as stale, not stored', async () => {
    const newer = theContractExample({ id: 'late-1', title: 'Newer', updatedAt: '2026-11-23T10:00:00Z' });
    const older = theContractExample({ id: 'late-1', title: 'Older', updatedAt: '2026-11-23T09:00:00Z' });

    await publish([articleMessage(newer)]);
    await eventually(() => stored('late-1').then((row) => row ?? undefined));
    const [staleBefore, storedBefore] = [await staleCount(), await storedCount()];
    await publish([articleMessage(older)]);
    await waitUntilCaughtUp(app);

    expect(await stored('late-1')).toMatchObject({ title: 'Newer', revisedAt: new Date('2026-11-23T10:00:00Z') });
    expect(await staleCount()).toBe(staleBefore + 1);
    expect(await storedCount()).toBe(storedBefore);
  });

  it('keeps the newest version when an older one (by updatedAt) follows it in the same batch', async () => {
    const staleBefore = await staleCount();
    await publish([
      articleMessage(theContractExample({ id: 'late-2', title: 'Newer', updatedAt: '2026-11-23T10:00:00Z' })),
      articleMessage(theContractExample({ id: 'late-2', title: 'Older', updatedAt: '2026-11-23T09:00:00Z' })),
    ]);
    await waitUntilCaughtUp(app);

    expect(await rowsWithId('late-2')).toBe(1);
    expect(await stored('late-2')).toMatchObject({ title: 'Newer' });
    expect(await staleCount()).toBe(staleBefore + 1);
  });

  it('lets a correction move publishedAt earlier, with or without updatedAt', async () => {
    await publish([articleMessage(theContractExample({ id: 'moved-1', title: 'First', publishedAt: '2026-11-23T10:00:00Z', updatedAt: '2026-11-23T10:00:00Z' }))]);
    await publish([articleMessage(theContractExample({ id: 'moved-2', title: 'First', publishedAt: '2026-11-23T10:00:00Z' }))]);
    await eventually(async () => ((await rowsWithId('moved-1')) + (await rowsWithId('moved-2')) === 2 ? true : undefined));

    await publish([articleMessage(theContractExample({ id: 'moved-1', title: 'Corrected', publishedAt: '2026-11-23T08:00:00Z', updatedAt: '2026-11-23T10:30:00Z' }))]);
    await publish([articleMessage(theContractExample({ id: 'moved-2', title: 'Corrected', publishedAt: '2026-11-23T08:00:00Z' }))]);
    await waitUntilCaughtUp(app);

    expect(await stored('moved-1')).toMatchObject({ title: 'Corrected', publishedAt: new Date('2026-11-23T08:00:00Z') });
    expect(await stored('moved-2')).toMatchObject({ title: 'Corrected', publishedAt: new Date('2026-11-23T08:00:00Z') });
  });

  it('parks an event the database refuses on its own and stores the rest of its batch', async () => {
    // Valid by the schema, refused by a constraint of this test's own database:
    // the failure must be pinned on that one message, not on its neighbours.
    await app.prisma.$executeRaw`ALTER TABLE "Article" ADD CONSTRAINT "test_refuses_one_id" CHECK ("id" <> 'refused-1')`;
    const refused = theContractExample({ id: 'refused-1' });
    await publish([
      articleMessage(theContractExample({ id: 'neighbour-1' }), { partition: 0 }),
      articleMessage(refused, { partition: 0 }),
      articleMessage(theContractExample({ id: 'neighbour-2' }), { partition: 0 }),
    ]);
    await waitUntilCaughtUp(app);

    expect(await rowsWithId('neighbour-1')).toBe(1);
    expect(await rowsWithId('neighbour-2')).toBe(1);
    expect(await rowsWithId('refused-1')).toBe(0);
    const parked = (await readTopic(app.config.kafka.brokers, app.topics.dlq)).filter((m) => m.key?.toString() === 'refused-1');
    expect(parked).toHaveLength(1);
    expect(parked[0].text).toBe(JSON.stringify(refused));
    expect(parked[0].headers['dispatch-error']?.toString()).toMatch(/^could not be stored: .*test_refuses_one_id/);
  });

  describe('breaking events', () => {
    const alertsFor = (articleId: string) => app.prisma.alert.count({ where: { articleId } });

    it('creates one alert for an article that arrives breaking, and no second one when it is redelivered or updated', async () => {
      const event = theContractExample({ id: 'breaking-1', breaking: true });

      await publish([articleMessage(event)]);
      await eventually(async () => ((await alertsFor('breaking-1')) > 0 ? true : undefined));
      await publish([articleMessage(event), articleMessage({ ...event, title: 'Update', publishedAt: '2026-11-23T09:30:00Z' })]);
      await waitUntilCaughtUp(app);

      expect(await alertsFor('breaking-1')).toBe(1);
      expect(await stored('breaking-1')).toMatchObject({ title: 'Update' });
    });

    it('creates no alert when an article already known becomes breaking', async () => {
      await publish([articleMessage(theContractExample({ id: 'breaking-later', breaking: false }))]);
      await waitUntilCaughtUp(app);
      await publish([articleMessage(theContractExample({ id: 'breaking-later', breaking: true, publishedAt: '2026-11-23T09:10:00Z' }))]);
      await waitUntilCaughtUp(app);

      expect(await stored('breaking-later')).toMatchObject({ breaking: true });
      expect(await alertsFor('breaking-later')).toBe(0);
    });
  });
});

describe('Poison article events', () => {
  let app: TestApp;
  let parked: ConsumedMessage[];
  const valid = theContractExample({ id: 'after-the-poison' });

  interface PoisonCase {
    name: string;
    message: Message;
    reason: RegExp;
  }

  const tooManyTags = Array.from({ length: 21 }, (_, i) => `tag${i}`);
  const cases: PoisonCase[] = [
    { name: 'malformed JSON', message: { key: 'p-json', value: '{"id": "p-json", "title": ' }, reason: /^value: not valid JSON$/ },
    {
      name: 'missing required fields',
      message: { key: 'p-missing', value: JSON.stringify({ id: 'p-missing', title: 'No url, tags or date' }) },
      reason: /^url: is required; tags: is required; publishedAt: is required$/,
    },
    {
      name: 'a URL that is not http(s)',
      message: articleMessage(theContractExample({ id: 'p-url', url: 'javascript:alert(1)' })),
      reason: /^url: must be an absolute http\(s\) URL$/,
    },
    {
      name: '21 tags',
      message: articleMessage(theContractExample({ id: 'p-tags', tags: tooManyTags })),
      reason: /^tags: at most 20 tags$/,
    },
    {
      name: 'a 500 KB summary',
      message: articleMessage(theContractExample({ id: 'p-big', summary: 's'.repeat(500 * 1024) })),
      reason: /^value: larger than \d+ bytes$/,
    },
    {
      name: 'an unknown extra field of the wrong type',
      message: articleMessage(theContractExample({ id: 'p-extra', priority: { level: ['high'] } })),
      reason: /^priority: is not an allowed field$/,
    },
    { name: 'a null value', message: { key: 'p-null', value: null }, reason: /^value: missing/ },
    {
      name: 'bytes that are not UTF-8',
      message: { key: 'p-utf8', value: Buffer.from([0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]) },
      reason: /^value: not valid UTF-8$/,
    },
    { name: 'a JSON array', message: { key: 'p-array', value: '[1, 2]' }, reason: /^value: must be a JSON object$/ },
    { name: 'no key and no JSON', message: { key: null, value: 'hello' }, reason: /^value: not valid JSON$/ },
  ].map((poison) => ({
    ...poison,
    // Producers' own headers (a trace id, a binary one) must travel to the DLQ unchanged.
    message: { ...poison.message, headers: { 'x-trace-id': `trace-${poison.name}`, 'x-binary': Buffer.from([0, 1, 2, 255]) } },
  }));

  // As large as the topic takes: the DLQ copy is larger still, by the headers saying where it came from.
  let huge: Message;

  beforeAll(async () => {
    app = await startTestApp();
    const { brokers } = app.config.kafka;
    // Room for the record batch's own framing, the key and the one header.
    huge = { key: 'p-huge', value: Buffer.alloc((await maxMessageBytes(brokers, app.topics.articles)) - 200, 0x78), headers: { 'x-trace-id': 'trace-huge' } };
    // One partition, so the valid event is consumed strictly after every poison one;
    // the huge one in a send of its own, as a batch may not exceed the limit either.
    const toPartition0 = (messages: Message[]) => produce(brokers, app.topics.articles, messages.map((message) => ({ ...message, partition: 0 })));
    await toPartition0(cases.map((poison) => poison.message));
    await toPartition0([huge]);
    await toPartition0([articleMessage(valid)]);
    await eventually(() => app.prisma.article.findUnique({ where: { id: 'after-the-poison' } }).then((row) => row ?? undefined), 60_000);
    await waitUntilCaughtUp(app);
    parked = await readTopic(app.config.kafka.brokers, app.topics.dlq);
  });

  afterAll(() => app?.close());

  const parkedFor = (poison: PoisonCase) =>
    parked.filter((message) => message.headers['x-trace-id']?.toString() === `trace-${poison.name}`);

  it.each(cases.map((poison) => [poison.name, poison] as const))('%s goes to the DLQ unchanged, with the reason', (_, poison) => {
    const found = parkedFor(poison);
    expect(found).toHaveLength(1);
    const [message] = found;
    expect(message.key).toEqual(bytesOf(poison.message.key));
    // Byte for byte; toEqual on a 500 KB buffer would spend seconds diffing.
    expect(sameBytes(message.value, bytesOf(poison.message.value))).toBe(true);
    expect(message.headers['x-binary']).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(message.headers['dispatch-error']?.toString()).toMatch(poison.reason);
    expect(message.headers['dispatch-source-topic']?.toString()).toBe(app.topics.articles);
    expect(message.headers['dispatch-source-partition']?.toString()).toBe('0');
    expect(message.headers['dispatch-source-offset']?.toString()).toBe(String(cases.indexOf(poison)));
  });

  it('parks a message as large as the topic accepts, though its DLQ copy is larger', () => {
    const found = parked.filter((message) => message.key?.toString() === 'p-huge');
    expect(found).toHaveLength(1);
    expect(sameBytes(found[0].value, bytesOf(huge.value))).toBe(true);
    expect(found[0].headers['x-trace-id']?.toString()).toBe('trace-huge');
    expect(found[0].headers['dispatch-error']?.toString()).toMatch(/^value: larger than \d+ bytes$/);
  });

  it('parks nothing else and stores none of them', async () => {
    expect(parked).toHaveLength(cases.length + 1);
    expect(await app.prisma.article.findMany({ select: { id: true } })).toEqual([{ id: 'after-the-poison' }]);
  });

  it('goes on consuming: the valid event after them is stored and every offset is committed', async () => {
    expect(await app.prisma.article.findUnique({ where: { id: 'after-the-poison' } })).toMatchObject({ title: valid.title });
    const committed = await waitUntilCaughtUp(app);
    expect(committed.get(0)).toBe(cases.length + 2);
  });
});
