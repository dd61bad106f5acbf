import fc from 'fast-check';
import { IHeaders, Kafka, logLevel, Message, Partitioners } from 'kafkajs';
import { Client } from 'pg';
import { MIN_DELAY_MS } from '../../src/deliveries/retry-policy';
import { DLQ_ERROR_HEADER } from '../../src/kafka/dlq.publisher';
import { eventually, startTestApp, TestApp } from '../support/app';
import { consumeAll, ConsumedMessage, uniqueName } from '../support/kafka';
import { withAdmin } from '../support/kafka-offsets';
import { aReaderRow, anArticleEvent, consumerCaughtUp, endTotal } from './support';

// RELIABILITY.md I1–I3 against the real consumer, broker and database: poison and
// fuzzed events produced to the real topic end up stored or in the DLQ (original
// bytes, a reason) and never stop the consumer; database conflicts are retried a
// few times, then parked; a DLQ that refuses the message means no offset commit;
// replays and late versions change nothing and send no second alert.

jest.setTimeout(300_000);

const FUZZ_MESSAGES = Number(process.env.FUZZ_EVENTS ?? 120);

interface Produced {
  key: string;
  value: Buffer | null;
  headers?: IHeaders;
  /** Known to be a valid event: it must be stored, never parked. */
  valid?: { id: string; title: string };
}

function bytes(value: string | Buffer | null): Buffer | null {
  return value === null ? null : Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8');
}

function header(message: ConsumedMessage, name: string): string | undefined {
  const value = message.headers[name];
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value[0] : value)?.toString('utf8');
}

describe('hostile article events (I1–I3)', () => {
  let app: TestApp;
  let brokers: string[];
  const run = uniqueName('ev');

  beforeAll(async () => {
    app = await startTestApp({ env: { DIGEST_TICK_CRON: '0 0 1 1 *' } });
    brokers = app.config.kafka.brokers;
  });

  afterAll(async () => {
    await app?.close();
  });

  /** One send per message, so each one's partition and offset are known; `together`: one send, one record batch. */
  async function publish(messages: Produced[], together = false): Promise<{ partition: number; offset: number }[]> {
    const producer = new Kafka({ clientId: uniqueName('security-producer'), brokers, logLevel: logLevel.NOTHING }).producer({
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    try {
      const placed: { partition: number; offset: number }[] = [];
      if (together) {
        const [meta] = await producer.send({ topic: app.topics.articles, messages: messages as Message[] });
        return messages.map((_, index) => ({ partition: meta.partition, offset: Number(meta.baseOffset) + index }));
      }
      for (const message of messages) {
        const [meta] = await producer.send({ topic: app.topics.articles, messages: [{ key: message.key, value: message.value, headers: message.headers } as Message] });
        placed.push({ partition: meta.partition, offset: Number(meta.baseOffset) });
      }
      return placed;
    } finally {
      await producer.disconnect();
    }
  }

  /** Everything in the DLQ so far (the consumer has caught up, so nothing more is on its way). */
  async function dlqMessages(): Promise<ConsumedMessage[]> {
    const count = await endTotal(brokers, app.topics.dlq);
    return consumeAll(brokers, app.topics.dlq, { count, timeoutMs: 60_000 });
  }

  const stored = (id: string) => app.prisma.article.findUnique({ where: { id } });

  async function expectConsumerAlive(): Promise<void> {
    const probe = anArticleEvent({ id: `${run}-probe-${Date.now()}` });
    await publish([{ key: String(probe.id), value: bytes(JSON.stringify(probe)) }]);
    await eventually(async () => (await stored(String(probe.id))) ?? undefined, 60_000);
    const health = await fetch(`${app.url}/health`);
    expect(health.status).toBe(200);
  }

  describe('I3: replays and late versions', () => {
    it('keeps one article and its newest version whatever order the versions arrive in', async () => {
      const id = `${run}-versions`;
      // The CMS's revision time (updatedAt) orders versions; publishedAt may move with a correction.
      const v1 = anArticleEvent({ id, title: 'First', publishedAt: '2026-11-23T11:00:00Z', updatedAt: '2026-11-23T09:00:00Z' });
      const v2 = anArticleEvent({ id, title: 'Second', publishedAt: '2026-11-23T10:00:00Z', updatedAt: '2026-11-23T10:00:00Z' });
      const v3 = anArticleEvent({ id, title: 'Third', publishedAt: '2026-11-23T11:00:00Z', updatedAt: '2026-11-23T11:00:00Z' });
      const message = (event: Record<string, unknown>) => ({ key: id, value: bytes(JSON.stringify(event)) });

      await publish([message(v1), message(v3), message(v3), message(v2), message(v1)]);
      await consumerCaughtUp(app);

      expect(await app.prisma.article.count({ where: { id } })).toBe(1);
      expect(await stored(id)).toMatchObject({ title: 'Third', publishedAt: new Date('2026-11-23T11:00:00Z') });
    });

    it('sends one breaking alert however often the breaking event (or a newer version of it) is delivered', async () => {
      const tag = `brk${run.replace(/[^a-z0-9]/g, '').slice(-10)}`;
      const reader = await aReaderRow(app.prisma, { tags: [tag] });
      const id = `${run}-breaking`;
      const first = anArticleEvent({ id, tags: [tag], breaking: true, title: 'Breaking', updatedAt: '2026-11-23T09:00:00Z' });
      const newer = { ...first, title: 'Breaking, updated', updatedAt: '2026-11-23T09:30:00Z' };
      const older = { ...first, title: 'Breaking, stale', updatedAt: '2026-11-23T08:00:00Z' };
      const message = (event: Record<string, unknown>) => ({ key: id, value: bytes(JSON.stringify(event)) });

      await publish([message(first)]);
      await app.smtp.waitFor(1);
      await publish([message(first), message(newer), message(first), message(older)]);
      await consumerCaughtUp(app);
      // Anything a replay had queued would be sent by now: the outbox has nothing left to do.
      await eventually(async () => ((await app.prisma.delivery.count({ where: { status: { in: ['queued', 'sending'] } } })) === 0 ? true : undefined));

      expect(await app.prisma.alert.count({ where: { articleId: id } })).toBe(1);
      expect(await app.prisma.delivery.count({ where: { subscriberId: reader.id, kind: 'alert' } })).toBe(1);
      expect(app.smtp.messages.filter((mail) => mail.envelope.to.includes(reader.email))).toHaveLength(1);
      expect(await stored(id)).toMatchObject({ title: 'Breaking, updated' });
    });
  });

  describe('I1: poison events', () => {
    it('parks each poison message with its original bytes and a reason, and goes on with the next valid one', async () => {
      const valid = anArticleEvent({ id: `${run}-after-poison` });
      const poison: Produced[] = [
        { key: `${run}-p-json`, value: bytes('{"id": "x", "title": ') },
        { key: `${run}-p-missing`, value: bytes(JSON.stringify({ id: `${run}-p-missing`, title: 'No url, no tags' })) },
        { key: `${run}-p-oversized`, value: bytes(JSON.stringify(anArticleEvent({ id: `${run}-p-oversized`, summary: 's'.repeat(100_000) }))) },
        { key: `${run}-p-long-title`, value: bytes(JSON.stringify(anArticleEvent({ id: `${run}-p-long-title`, title: 't'.repeat(60_000) }))) },
        { key: `${run}-p-utf8`, value: Buffer.from([0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0xff, 0xfe, 0x22, 0x7d]) },
        { key: `${run}-p-null`, value: null },
        { key: `${run}-p-empty`, value: Buffer.alloc(0) },
        { key: `${run}-p-array`, value: bytes('[1,2,3]') },
        { key: `${run}-p-types`, value: bytes(JSON.stringify(anArticleEvent({ id: `${run}-p-types`, tags: 'news', breaking: 'yes', publishedAt: 1795424400000 }))) },
        { key: `${run}-p-surrogate`, value: bytes(JSON.stringify(anArticleEvent({ id: `${run}-p-surrogate`, title: 'a\ud800b' }))) },
        {
          key: `${run}-p-headers`,
          value: bytes('not json'),
          headers: { [DLQ_ERROR_HEADER]: 'forged: all fine', 'trace-id': 'keep-me' },
        },
      ];
      await publish([...poison, { key: String(valid.id), value: bytes(JSON.stringify(valid)) }]);

      await eventually(async () => (await stored(String(valid.id))) ?? undefined, 60_000);
      await consumerCaughtUp(app);
      const parked = (await dlqMessages()).filter((message) => message.key?.toString().startsWith(`${run}-p-`));

      expect(parked.map((message) => message.key?.toString()).sort()).toEqual(poison.map((message) => message.key).sort());
      for (const original of poison) {
        const copy = parked.find((message) => message.key?.toString() === original.key);
        expect(copy?.value === null ? null : copy?.value?.toString('hex')).toBe(original.value === null ? null : original.value.toString('hex'));
        const reason = copy && header(copy, DLQ_ERROR_HEADER);
        expect(reason).toMatch(/\S/);
        expect(reason).not.toMatch(/[\r\n]/);
        expect(reason?.length).toBeLessThanOrEqual(500);
      }
      const forged = parked.find((message) => message.key?.toString() === `${run}-p-headers`);
      expect(forged && header(forged, DLQ_ERROR_HEADER)).not.toBe('forged: all fine');
      expect(forged && header(forged, 'trace-id')).toBe('keep-me');
      expect(await app.prisma.article.count({ where: { id: { startsWith: `${run}-p-` } } })).toBe(0);
      await expectConsumerAlive();
    });

    it('stores or parks every fuzzed message produced to the topic: stored + parked = produced', async () => {
      const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
      process.stdout.write(`event fuzz seed ${seed} (FUZZ_SEED=${seed} to replay)\n`);
      const generated = fc.sample(fuzzedEvent(`${run}-f`), { numRuns: FUZZ_MESSAGES, seed });
      const messages: Produced[] = generated.map((message, index) => ({ ...message, key: `${run}-f-${index}` }));

      await publish(messages);
      await consumerCaughtUp(app, 180_000);
      const parked = (await dlqMessages()).filter((message) => message.key?.toString().startsWith(`${run}-f-`));

      const parkedByKey = new Map<string, ConsumedMessage[]>();
      for (const message of parked) parkedByKey.set(message.key?.toString() ?? '', [...(parkedByKey.get(message.key?.toString() ?? '') ?? []), message]);
      const problems: string[] = [];
      let storedCount = 0;
      for (const message of messages) {
        const copies = parkedByKey.get(message.key) ?? [];
        const preview = message.value === null ? 'null' : message.value.toString('utf8').slice(0, 120);
        if (copies.length > 1) problems.push(`${message.key} parked ${copies.length} times: ${preview}`);
        if (copies.length >= 1) {
          if (message.valid) problems.push(`${message.key} is valid but was parked (${header(copies[0], DLQ_ERROR_HEADER)}): ${preview}`);
          const same = copies[0].value === null ? message.value === null : message.value !== null && copies[0].value.equals(message.value);
          if (!same) problems.push(`${message.key} parked with different bytes`);
          if (!header(copies[0], DLQ_ERROR_HEADER)) problems.push(`${message.key} parked without a reason`);
          continue;
        }
        const id = idOf(message.value);
        const article = id === undefined ? null : await stored(id);
        if (!article) {
          problems.push(`${message.key} neither stored nor parked: ${preview}`);
          continue;
        }
        if (message.valid && article.title !== message.valid.title) problems.push(`${message.key} stored with title ${JSON.stringify(article.title)}`);
        storedCount++;
      }

      expect(problems).toEqual([]);
      expect(storedCount + parked.length).toBe(messages.length);
      expect(storedCount).toBeGreaterThanOrEqual(messages.filter((message) => message.valid).length);
      await expectConsumerAlive();
    });
  });

  describe('I2: transient database errors', () => {
    let sql: Client;

    beforeAll(async () => {
      sql = new Client({ connectionString: app.db.url });
      await sql.connect();
      // A fault the test controls from outside the service: inserts of articles whose id
      // starts with a registered prefix fail with the given SQLSTATE for their first N
      // attempts, counted by a sequence (a sequence is not rolled back with the failure).
      await sql.query(`
        CREATE TABLE security_fault (prefix text PRIMARY KEY, failures int NOT NULL, errcode text NOT NULL, attempts regclass NOT NULL);
        CREATE FUNCTION security_fault() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE f security_fault;
        BEGIN
          SELECT * INTO f FROM security_fault WHERE starts_with(NEW."id", prefix);
          IF FOUND AND nextval(f.attempts) <= f.failures THEN
            RAISE EXCEPTION 'injected fault %', f.errcode USING ERRCODE = f.errcode;
          END IF;
          RETURN NEW;
        END $$;
        CREATE TRIGGER security_fault BEFORE INSERT ON "Article" FOR EACH ROW EXECUTE FUNCTION security_fault();`);
    });

    afterAll(async () => {
      await sql?.query('DROP TRIGGER IF EXISTS security_fault ON "Article"').catch(() => undefined);
      await sql?.end();
    });

    async function injectFault(name: string, errcode: string, failures: number): Promise<{ prefix: string; attempts: () => Promise<number> }> {
      const prefix = `${run}-i2-${name}-`;
      const sequence = `security_fault_${name}`;
      await sql.query(`CREATE SEQUENCE ${sequence}`);
      await sql.query('INSERT INTO security_fault VALUES ($1, $2, $3, $4::regclass)', [prefix, failures, errcode, sequence]);
      return {
        prefix,
        attempts: async () => {
          const { rows } = await sql.query<{ last_value: string; is_called: boolean }>(`SELECT last_value, is_called FROM ${sequence}`);
          return rows[0].is_called ? Number(rows[0].last_value) : 0;
        },
      };
    }

    it.each([
      ['serialization failure', '40001', 'serial'],
      ['deadlock', '40P01', 'deadlock'],
    ])('retries a %s a few times and stores the event once it clears', async (_, errcode, name) => {
      const fault = await injectFault(`${name}_once`, errcode, 2);
      const event = anArticleEvent({ id: `${fault.prefix}1`, title: 'Stored after two conflicts' });

      await publish([{ key: String(event.id), value: bytes(JSON.stringify(event)) }]);

      await eventually(async () => (await stored(String(event.id))) ?? undefined, 90_000);
      await consumerCaughtUp(app);
      expect(await fault.attempts()).toBe(3);
      expect((await dlqMessages()).filter((message) => message.key?.toString() === event.id)).toHaveLength(0);
    });

    it.each([
      ['serialization failure', '40001', 'serial'],
      ['deadlock', '40P01', 'deadlock'],
    ])('parks an event whose %s never clears after a bounded number of attempts, and goes on', async (_, errcode, name) => {
      const fault = await injectFault(`${name}_always`, errcode, 1_000_000);
      const stuck = anArticleEvent({ id: `${fault.prefix}1` });
      const next = anArticleEvent({ id: `${run}-i2-after-${name}` });
      const started = Date.now();

      await publish([
        { key: String(stuck.id), value: bytes(JSON.stringify(stuck)) },
        { key: String(next.id), value: bytes(JSON.stringify(next)) },
      ]);

      await eventually(async () => (await stored(String(next.id))) ?? undefined, 90_000);
      await consumerCaughtUp(app, 120_000);
      const parked = (await dlqMessages()).filter((message) => message.key?.toString() === stuck.id);
      expect(parked).toHaveLength(1);
      expect(parked[0].value?.toString('utf8')).toBe(JSON.stringify(stuck));
      expect(header(parked[0], DLQ_ERROR_HEADER)).toMatch(/could not be stored/);
      const attempts = await fault.attempts();
      expect(attempts).toBeGreaterThanOrEqual(3);
      expect(attempts).toBeLessThanOrEqual(8);
      // Backoff, not a tight loop: every retry after the first one-by-one attempt waited at least MIN_DELAY_MS.
      expect(Date.now() - started).toBeGreaterThanOrEqual((attempts - 2) * MIN_DELAY_MS);
      expect(await stored(String(stuck.id))).toBeNull();
    });
  });

  // Last in the file: it breaks the DLQ for a while.
  describe('I2: a DLQ that refuses the message', () => {
    it('commits no offset past a message it could not park, and parks it once the DLQ takes it again', async () => {
      const key = `${run}-dlq-broken`;
      const poison: Produced = { key, value: bytes(`not json ${'x'.repeat(2_000)}`) };
      const after = anArticleEvent({ id: `${run}-dlq-broken-after` });
      // The broker itself refuses the write: a DLQ topic whose messages may be at most 200 bytes.
      await setDlqMaxMessageBytes('200');
      try {
        // One record batch, so the consumer gets both in one fetch.
        const [poisonAt] = await publish([poison, { key, value: bytes(JSON.stringify(after)) }], true);
        // The valid event after it is stored (the batch was read and worked on)…
        await eventually(async () => (await stored(String(after.id))) ?? undefined, 60_000);
        // …but for as long as the poison cannot be parked, its offset is not committed.
        for (let look = 0; look < 5; look++) {
          await new Promise((resolve) => setTimeout(resolve, 1_000));
          expect(await committedOffset(poisonAt.partition)).toBeLessThanOrEqual(poisonAt.offset);
        }
        expect((await dlqMessages()).filter((message) => message.key?.toString() === key)).toHaveLength(0);
      } finally {
        await setDlqMaxMessageBytes('1048588');
      }

      await consumerCaughtUp(app, 180_000);
      const parked = (await dlqMessages()).filter((message) => message.key?.toString() === key);
      expect(parked).toHaveLength(1);
      expect(parked[0].value?.equals(poison.value as Buffer)).toBe(true);
      await expectConsumerAlive();
    });

    function setDlqMaxMessageBytes(value: string): Promise<unknown> {
      return withAdmin(brokers, (admin) =>
        admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: app.topics.dlq, configEntries: [{ name: 'max.message.bytes', value }] }] }),
      );
    }

    async function committedOffset(partition: number): Promise<number> {
      return withAdmin(brokers, async (admin) => {
        const [found] = await admin.fetchOffsets({ groupId: app.topics.group, topics: [app.topics.articles] });
        return Math.max(0, Number(found.partitions.find((entry) => entry.partition === partition)?.offset ?? 0));
      });
    }
  });
});

/** The article id a message would be stored under, if it has one. */
function idOf(value: Buffer | null): string | undefined {
  if (value === null) return undefined;
  try {
    const parsed: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(value));
    const id = (parsed as { id?: unknown } | null)?.id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

const UNICODE_EDGES = ['😀', '👩‍👩‍👧', '\u202eevil', '\u200b', '\ufeff', 'e\u0301', '\u0000', '\u2028', '\ud800', '\udfff', '𝕏', 'İ', 'ß', '\u0085', '\r\nX-Injected: 1'];

/** One message value (key added by the caller): valid events, events with one field broken, and plain junk. */
function fuzzedEvent(prefix: string): fc.Arbitrary<Omit<Produced, 'key'>> {
  let next = 0;
  const freshId = () => `${prefix}-${next++}-${Math.random().toString(36).slice(2, 8)}`;
  const safeTitle = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 }).filter((title) => /^[^\p{C}\p{Zl}\p{Zp}]+$/u.test(title) && title.trim() === title && title.trim() !== '');
  const tag = fc.stringMatching(/^[a-z0-9-]{1,20}$/);
  const valid = fc.record({ title: safeTitle, tags: fc.array(tag, { minLength: 1, maxLength: 5 }), breaking: fc.constant(false) }).map((fields) => {
    const id = freshId();
    const event = anArticleEvent({ id, ...fields });
    return { value: bytes(JSON.stringify(event)), valid: { id, title: fields.title } };
  });
  const junkValue = fc.oneof(
    fc.constantFrom(...UNICODE_EDGES),
    fc.string({ unit: 'binary', maxLength: 50 }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string(), { maxLength: 3 }),
    fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
    fc.constantFrom('x'.repeat(600), 'y'.repeat(2_500), 'javascript:alert(1)', '2026-13-45T99:00:00Z', '#', '-', ''),
  );
  const field = fc.constantFrom('id', 'title', 'url', 'summary', 'tags', 'publishedAt', 'author', 'imageUrl', 'breaking', '__proto__', 'constructor', 'extra');
  const broken = fc.tuple(field, junkValue, fc.stringMatching(/^[\s\S]{0,3}$/)).map(([name, junk, garnish]) => {
    const event = anArticleEvent({ id: freshId() });
    const mutated = name === '__proto__' ? Object.fromEntries([...Object.entries(event), ['__proto__', junk]]) : { ...event, [name]: junk };
    if (name === 'title' && typeof junk === 'string') mutated.title = `${junk}${garnish}`;
    return { value: bytes(JSON.stringify(mutated)) };
  });
  const unicodeTitle = fc.array(fc.constantFrom(...UNICODE_EDGES), { minLength: 1, maxLength: 6 }).map((parts) => ({
    value: bytes(JSON.stringify(anArticleEvent({ id: freshId(), title: `T ${parts.join('')}`, author: parts.join(' '), summary: parts.join('\n') }))),
  }));
  const deep = fc.integer({ min: 10, max: 20_000 }).map((depth) => ({
    value: bytes(JSON.stringify(anArticleEvent({ id: freshId() })).replace(/"summary":"[^"]*"/, `"summary":${'['.repeat(depth)}${']'.repeat(depth)}`)),
  }));
  const huge = fc.constantFrom(1_000, 20_000, 63_000, 70_000, 300_000).map((size) => ({
    value: bytes(JSON.stringify(anArticleEvent({ id: freshId(), summary: 'z'.repeat(size) }))),
  }));
  const randomJson = fc.jsonValue({ maxDepth: 4 }).map((json) => ({ value: bytes(JSON.stringify(json) ?? 'null') }));
  const randomBytes = fc.uint8Array({ maxLength: 300 }).map((raw) => ({ value: Buffer.from(raw) }));
  return fc.oneof(
    { weight: 4, arbitrary: valid },
    { weight: 4, arbitrary: broken },
    { weight: 2, arbitrary: unicodeTitle },
    { weight: 1, arbitrary: deep },
    { weight: 1, arbitrary: huge },
    { weight: 2, arbitrary: randomJson },
    { weight: 1, arbitrary: randomBytes },
    { weight: 1, arbitrary: fc.constant({ value: null }) },
  );
}
