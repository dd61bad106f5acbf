import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../../src/generated/prisma/client';
import { runCli } from '../../../src/cli/main';
import { replayGroupId } from '../../../src/cli/commands';
import { loadConfig } from '../../../src/config/config';
import { emailHash } from '../../../src/suppression/email-hash';
import { anArticleEvent } from '../../support/builders';
import { createTestDatabase, TestDatabase } from '../../support/database';
import { consumeAll, createTopic, deleteTopic, kafkaBrokers, produce, uniqueName } from '../../support/kafka';
import { committedOffsets, endOffsets, totalOf } from '../../support/kafka-offsets';

jest.setTimeout(120_000);

/** What one CLI invocation printed and returned. */
interface CliRun {
  code: number;
  out: string[];
  err: string[];
}

describe('Operator CLI (npm run dispatch)', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  const topics = { articles: uniqueName('cli-articles'), dlq: uniqueName('cli-dlq'), group: uniqueName('cli-dispatch') };
  const brokers = kafkaBrokers();
  let env: NodeJS.ProcessEnv;

  const sut = async (...argv: string[]): Promise<CliRun> => {
    const run: CliRun = { code: -1, out: [], err: [] };
    run.code = await runCli(argv, { out: (line) => run.out.push(line), err: (line) => run.err.push(line) }, env);
    return run;
  };
  const json = <T>(run: CliRun): T => JSON.parse(run.out.join('\n')) as T;

  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: db.url, max: 2 }) });
    await Promise.all([createTopic(brokers, topics.articles, 1), createTopic(brokers, topics.dlq, 2)]);
    // NODE_ENV=production and no TOKEN_SECRET: the CLI must still run (it signs nothing).
    env = {
      NODE_ENV: 'production',
      DATABASE_URL: db.url,
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_GROUP_ID: topics.group,
      KAFKA_TOPIC_ARTICLES: topics.articles,
      KAFKA_TOPIC_DLQ: topics.dlq,
    };
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
    await Promise.allSettled([deleteTopic(brokers, topics.articles), deleteTopic(brokers, topics.dlq)]);
  });

  describe('help and usage', () => {
    it('lists every command', async () => {
      const run = await sut('help');
      expect(run.code).toBe(0);
      for (const command of ['dlq:replay', 'delivery:resend', 'alert:status', 'run:status', 'suppressions:list']) {
        expect(run.out.join('\n')).toContain(command);
      }
    });

    it('refuses an unknown command or option with exit code 2', async () => {
      expect((await sut('frobnicate')).code).toBe(2);
      const run = await sut('dlq:replay', '--dryrun');
      expect(run.code).toBe(2);
      expect(run.err.join('\n')).toContain('unknown option --dryrun');
    });
  });

  describe('suppressions:list', () => {
    beforeAll(async () => {
      await prisma.suppression.createMany({
        data: [
          { emailHash: emailHash('bounced@example.org'), reason: 'hard bounce: 550 5.1.1', createdAt: new Date('2026-11-20T10:00:00Z') },
          { emailHash: emailHash('erased@example.org'), reason: 'erased by the reader', createdAt: new Date('2026-11-22T10:00:00Z') },
        ],
      });
    });

    it('lists hashes newest first with the total, never an address', async () => {
      const run = await sut('suppressions:list');
      expect(run.code).toBe(0);
      expect(run.out[0]).toContain(emailHash('erased@example.org'));
      expect(run.out[1]).toContain(emailHash('bounced@example.org'));
      expect(run.out[2]).toBe('2 suppressed address(es)');
      expect(run.out.join('\n')).not.toContain('@example.org');
    });

    it('answers whether one address is suppressed, normalising it as the service does (trimmed, domain lower-cased)', async () => {
      expect((await sut('suppressions:list', '--email', '  bounced@EXAMPLE.org ')).out.pop()).toBe('that address is suppressed');
      expect((await sut('suppressions:list', '--email', 'someone@example.org')).out.pop()).toBe('that address is not suppressed');
    });

    it('honours --limit and prints JSON with --json', async () => {
      const listed = json<{ total: number; rows: { emailHash: string }[] }>(await sut('suppressions:list', '--limit', '1', '--json'));
      expect(listed.total).toBe(2);
      expect(listed.rows.map((row) => row.emailHash)).toEqual([emailHash('erased@example.org')]);
    });
  });

  describe('delivery:resend, alert:status and run:status', () => {
    let alertId: string;
    let runId: string;
    const ids: Record<string, bigint> = {};

    beforeAll(async () => {
      await prisma.article.create({
        data: { id: 'cli-story', title: 'Chip export rules tightened', url: 'https://example.com/cli-story', tags: ['aichips'], publishedAt: new Date() },
      });
      const reader = await prisma.subscriber.create({ data: { email: 'cli.reader@example.org', status: 'confirmed', tags: ['aichips'] } });
      const alert = await prisma.alert.create({
        data: { articleId: 'cli-story', tags: ['aichips'], sentBy: 'key-0123abcd', status: 'sent', recipients: 4, fannedOutAt: new Date() },
      });
      alertId = alert.id;
      runId = (await prisma.digestRun.create({ data: { at: new Date('2026-11-24T07:00:00Z'), trigger: 'manual', due: 3, queued: 2, empty: 1, endedAt: new Date() } })).id;
      const row = (key: string, status: 'sent' | 'failed' | 'skipped' | 'queued', extra: object) =>
        prisma.delivery.create({
          data: { kind: 'alert', dedupeKey: key, messageId: `<${key}@dispatch.test>`, priority: 0, status, subscriberId: reader.id, attempts: 3, ...extra },
        });
      ids.failed = (await row('alert-failed', 'failed', { alertId, lastError: 'gave up after 8 attempts: 451 4.3.0' })).id;
      ids.sent = (await row('alert-sent', 'sent', { alertId, sentAt: new Date() })).id;
      ids.skipped = (await row('alert-skipped', 'skipped', { alertId, lastError: 'unsubscribed' })).id;
      await row('alert-sent-2', 'sent', { alertId, sentAt: new Date(), feedback: 'complained', feedbackAt: new Date() });
      await row('digest-sent', 'sent', { runId, kind: 'digest', priority: 2, feedback: 'bounced', feedbackAt: new Date() });
      await row('digest-queued', 'queued', { runId, kind: 'digest', priority: 2 });
    });

    it('shows an alert with its deliveries by status', async () => {
      const run = await sut('alert:status', alertId);
      expect(run.code).toBe(0);
      expect(run.out[0]).toBe(`alert ${alertId}: sent`);
      expect(run.out.join('\n')).toContain('2 sent, 1 failed, 1 skipped');
      expect(run.out.join('\n')).toContain('feedback    bounced 0, complained 1');
      expect(json<{ recipients: number; deliveries: Record<string, number> }>(await sut('alert:status', alertId, '--json'))).toMatchObject({
        recipients: 4,
        bounced: 0,
        complained: 1,
        deliveries: { sent: 2, failed: 1, skipped: 1, queued: 0, sending: 0, uncertain: 0 },
      });
    });

    it('shows a digest run with its deliveries by status', async () => {
      const run = json<{ status: string; due: number; queued: number; deliveries: Record<string, number> }>(await sut('run:status', runId, '--json'));
      expect(run).toMatchObject({ status: 'finished', due: 3, queued: 2, deliveries: { sent: 1, queued: 1 }, bounced: 1, complained: 0 });
      expect((await sut('run:status', runId)).out.join('\n')).toContain('feedback    bounced 1, complained 0');
    });

    it('says so when an alert or run does not exist, and refuses what is not an id', async () => {
      expect((await sut('alert:status', '00000000-0000-4000-8000-000000000000')).code).toBe(1);
      expect((await sut('run:status', '00000000-0000-4000-8000-000000000000')).code).toBe(1);
      expect((await sut('alert:status', 'latest')).code).toBe(2);
    });

    it('puts a failed delivery back in the queue with its attempts and error cleared', async () => {
      const run = await sut('delivery:resend', String(ids.failed));
      expect(run.code).toBe(0);
      expect(run.out[0]).toBe(`delivery ${ids.failed} (alert) was failed (gave up after 8 attempts: 451 4.3.0); it is queued again`);
      expect(await prisma.delivery.findUnique({ where: { id: ids.failed } })).toMatchObject({ status: 'queued', attempts: 0, lastError: null });
    });

    it('re-queues a skipped delivery too, and warns when the address is suppressed', async () => {
      await prisma.suppression.create({ data: { emailHash: emailHash('cli.reader@example.org'), reason: 'hard bounce' } });
      const run = await sut('delivery:resend', String(ids.skipped));
      expect(run.code).toBe(0);
      expect(run.out[1]).toContain('suppression list');
      expect((await prisma.delivery.findUnique({ where: { id: ids.skipped } }))?.status).toBe('queued');
    });

    it('never re-sends a delivery that was sent, and says why', async () => {
      const run = await sut('delivery:resend', String(ids.sent));
      expect(run.code).toBe(1);
      expect(run.err[0]).toBe(`delivery ${ids.sent} is sent; only failed or skipped deliveries can be re-sent`);
      expect((await prisma.delivery.findUnique({ where: { id: ids.sent } }))?.status).toBe('sent');
      expect((await sut('delivery:resend', '999999')).code).toBe(1);
      expect((await sut('delivery:resend', 'abc')).code).toBe(2);
    });
  });

  describe('dlq:replay', () => {
    const parked = (id: string, partition: number, value: string) => ({
      key: id,
      value,
      partition,
      headers: {
        'content-type': 'application/json',
        'dispatch-error': 'tags: is required',
        'dispatch-source-topic': topics.articles,
        'dispatch-source-partition': '0',
        'dispatch-source-offset': '7',
      },
    });
    const event = (id: string) =>
      JSON.stringify(anArticleEvent({ id, title: `Story ${id}`, url: `https://example.com/${id}`, tags: ['ainews'], publishedAt: '2026-11-23T09:00:00Z' }));

    beforeAll(async () => {
      await produce(brokers, topics.dlq, [
        parked('replay-1', 0, event('replay-1')),
        parked('replay-2', 1, event('replay-2')),
        parked('replay-3', 0, '{"id": "replay-3"}'),
      ]);
    });

    it('--dry-run lists the parked messages and publishes and commits nothing', async () => {
      const run = await sut('dlq:replay', '--dry-run');
      expect(run.code).toBe(0);
      expect(run.out.filter((line) => line.includes('parked: tags: is required'))).toHaveLength(3);
      expect(run.out.find((line) => line.includes('key replay-3'))).toContain('still invalid');
      expect(run.out).toContain(`would replay 3 of 3 parked message(s) from ${topics.dlq} to ${topics.articles} (consumer group ${topics.group}-dlq-replay)`);
      expect(totalOf(await endOffsets(brokers, topics.articles))).toBe(0);
      expect(totalOf(await committedOffsets(brokers, replayGroupId(config()), topics.dlq))).toBe(0);
    });

    it('republishes key, value and original headers without the dispatch-* ones, and commits as it goes', async () => {
      const first = json<{ pending: number; messages: { key: string }[] }>(await sut('dlq:replay', '--limit', '2', '--json'));
      expect(first.pending).toBe(3);
      expect(first.messages).toHaveLength(2);
      const second = json<{ pending: number; messages: { key: string }[] }>(await sut('dlq:replay', '--json'));
      expect(second.pending).toBe(1);
      expect([...first.messages, ...second.messages].map((m) => m.key).sort()).toEqual(['replay-1', 'replay-2', 'replay-3']);

      const republished = await consumeAll(brokers, topics.articles, { count: 3 });
      expect(republished.map((m) => m.key?.toString()).sort()).toEqual(['replay-1', 'replay-2', 'replay-3']);
      for (const message of republished) {
        expect(Object.keys(message.headers)).toEqual(['content-type']);
        expect(message.text).toBe(message.key?.toString() === 'replay-3' ? '{"id": "replay-3"}' : event(message.key?.toString() ?? ''));
      }

      const third = await sut('dlq:replay');
      expect(third.out).toEqual([`replayed 0 of 0 parked message(s) from ${topics.dlq} to ${topics.articles} (consumer group ${topics.group}-dlq-replay)`]);
    });
  });

  function config() {
    return loadConfig({ ...env, TOKEN_SECRET: 'x'.repeat(32) });
  }
});
