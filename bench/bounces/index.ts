import { fork } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { NestExpressApplication } from '@nestjs/platform-express';
import { loadConfig } from '../../src/config/config';
import { BounceReferences } from '../../src/mail/bounce-reference';
import { createApp } from '../../src/main';
import { databaseUrl } from '../../scripts/database-url';
import { kafkaBrokersFromEnv } from '../../scripts/infra/kafka';
import { freePort } from '../../scripts/infra/net';
import { maintenanceUrl } from '../../scripts/infra/postgres';
import { createBenchDatabase } from '../support/bench-database';
import { BenchRow, positiveIntFromEnv, round, writeBenchResult } from '../support/bench-result';
import { ownCpuSeconds, PostgresCpu } from '../support/process-cpu';
import { PhaseProfiler } from '../support/run-profiler';
import type { SenderCommand, SenderReply } from './sender-child';

/*
 * bench/bounces (issue 14): BENCH_BOUNCES (default 5,000) RFC 3464 DSNs, one per sent email,
 * each a hard bounce (read, reference verified, recorded once, address suppressed, delivery
 * marked), sent to the bounce listener over BENCH_BOUNCE_LANES (4) SMTP sessions by a child
 * process playing the remote MTAs, after BENCH_BOUNCE_WARM_UP (500) unmeasured ones that warm
 * up the JIT, the pool and the prepared statements. Measured: DSNs processed per CPU-second of
 * the service (its whole process: listener, pipeline, and whatever else the service runs
 * meanwhile), and with PostgreSQL's CPU (the database's backends). Target: ≥ 2,000 per CPU-second.
 * Also shown: the service's CPU over IDLE_MS with nothing arriving, and the first figure with that
 * rate × the run's wall clock taken out (the listener's own share; the target is judged on the first).
 * BENCH_PROFILE=1 writes a CPU profile of the sending phase (only) to bench/results/profiles/bounces.cpuprofile.
 */

const NAME = 'bounces';
const TARGET_PER_CPU_SECOND = 2_000;
const SECRET = 'bench-token-secret-0123456789abcdef';
const DOMAIN = 'bounces.bench.test';
const IDLE_MS = 3_000;

function aDsn(to: string, recipient: string, index: number): string {
  return [
    'From: MAILER-DAEMON@mx.readers.bench (Mail Delivery System)',
    'Subject: Undelivered Mail Returned to Sender',
    `To: ${to}`,
    `Message-Id: <dsn-${index}@mx.readers.bench>`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
    '',
    '--b',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'Your message could not be delivered.',
    '',
    '--b',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.readers.bench',
    '',
    `Final-Recipient: rfc822; ${recipient}`,
    'Action: failed',
    'Status: 5.1.1',
    `Diagnostic-Code: smtp; 550 5.1.1 <${recipient}>: Recipient address rejected`,
    '',
    '--b',
    'Content-Type: text/rfc822-headers',
    '',
    `Return-Path: <${to}>`,
    'Subject: Breaking news',
    '',
    '--b--',
    '',
  ].join('\r\n');
}

export async function run(): Promise<BenchRow[]> {
  const count = positiveIntFromEnv('BENCH_BOUNCES', 5_000);
  const lanes = positiveIntFromEnv('BENCH_BOUNCE_LANES', 4);
  const warmUp = positiveIntFromEnv('BENCH_BOUNCE_WARM_UP', 500);
  const db = await createBenchDatabase(`dispatch_bench_bounces_${process.pid}`, databaseUrl());
  let app: NestExpressApplication | undefined;
  try {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    await client.query(`
      INSERT INTO "Subscriber" ("id", "email", "status", "tags", "updatedAt")
      SELECT gen_random_uuid(), 'reader-' || i || '@readers.bench', 'confirmed', ARRAY['bench'], now() FROM generate_series(1, $1) i`, [warmUp + count]);
    const { rows } = await client.query<{ id: string; email: string }>(`
      INSERT INTO "Delivery" ("kind", "dedupeKey", "messageId", "priority", "status", "subscriberId", "sentAt")
      SELECT 'alert', 'bench:' || s."id", '<bench.' || s."id" || '@bench.test>', 0, 'sent', s."id", now() FROM "Subscriber" s
      RETURNING "id", (SELECT "email" FROM "Subscriber" WHERE "id" = "subscriberId") AS "email"`);
    await client.end();

    const port = await freePort();
    const suffix = Date.now().toString(36);
    app = await createApp(
      loadConfig({
        NODE_ENV: 'production',
        TOKEN_SECRET: SECRET,
        PORT: String(await freePort()),
        DATABASE_URL: db.url,
        KAFKA_BROKERS: kafkaBrokersFromEnv().join(','),
        KAFKA_GROUP_ID: `bench-bounces-${suffix}`,
        KAFKA_TOPIC_ARTICLES: `bench-bounces-${suffix}`,
        KAFKA_TOPIC_DLQ: `bench-bounces-${suffix}-dlq`,
        MAIL_FROM: 'Dispatch <news@bench.test>',
        BOUNCE_DOMAIN: DOMAIN,
        BOUNCE_SMTP_PORT: String(port),
        BOUNCE_SMTP_HOST: '127.0.0.1',
        BOUNCE_MAX_SESSIONS_PER_MINUTE: '100000',
        DIGEST_TICK_CRON: '0 0 1 1 *',
        LOG_LEVEL: 'warn',
      }),
    );
    await app.init();
    const references = new BounceReferences(SECRET, DOMAIN);
    const messages = rows.map((row, index) => {
      const to = references.addressFor(BigInt(row.id));
      return { to, raw: aDsn(to, row.email, index) };
    });

    const sender = fork(join(__dirname, 'sender-child.ts'), [], { execArgv: ['-r', join(__dirname, '..', '..', 'scripts', 'swc-register.js')] });
    const command = (message: SenderCommand) =>
      new Promise<SenderReply>((resolve, reject) => {
        sender.once('message', resolve);
        sender.once('error', reject);
        sender.once('exit', (code) => reject(new Error(`the DSN sender exited (${code})`)));
        sender.send(message);
      });
    const sendLoaded = async () => {
      const reply = await command({ type: 'send' });
      if (reply.type !== 'sent' || !reply.ok) throw new Error(`the DSN sender failed: ${reply.type === 'sent' ? reply.error : reply.type}`);
    };
    await command({ type: 'load', port, lanes, messages: messages.slice(0, warmUp) });
    await sendLoaded();
    await command({ type: 'load', port, lanes, messages: messages.slice(warmUp) });

    const postgres = await PostgresCpu.watch(maintenanceUrl(databaseUrl()), db.name);
    await postgres.start();
    // What the process burns with no mail coming in (the outbox's polls, Kafka heartbeats, health
    // checks, this bench's PostgreSQL sampler): shown, and taken out of the listener's own figure.
    const idleCpu = ownCpuSeconds();
    const idleStarted = performance.now();
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    const idleCores = (ownCpuSeconds() - idleCpu) / ((performance.now() - idleStarted) / 1000);
    const profiler = await PhaseProfiler.start(process.env.BENCH_PROFILE === '1');
    const cpu = ownCpuSeconds();
    const started = performance.now();
    await sendLoaded();
    const seconds = (performance.now() - started) / 1000;
    const appCpu = ownCpuSeconds() - cpu;
    const postgresCpu = await postgres.stop();
    if (profiler) console.log(`CPU profile: ${await profiler.stop(NAME)}`);
    sender.send({ type: 'exit' } satisfies SenderCommand);

    const check = new Client({ connectionString: db.url });
    await check.connect();
    const applied = Number((await check.query('SELECT count(*) FROM "FeedbackEvent"')).rows[0].count);
    const suppressed = Number((await check.query('SELECT count(*) FROM "Suppression"')).rows[0].count);
    await check.end();
    if (applied !== warmUp + count || suppressed !== warmUp + count) throw new Error(`only ${applied} of ${warmUp + count} DSNs applied (${suppressed} suppressed)`);

    const figures = {
      dsns: count,
      warmUp,
      lanes,
      seconds: round(seconds, 2),
      cpuSeconds: { app: round(appCpu, 2), postgres: round(postgresCpu, 2) },
      idleCores: round(idleCores, 3),
      perAppCpuSecond: round(count / appCpu),
      perAppCpuSecondNetOfIdle: round(count / Math.max(appCpu - idleCores * seconds, 1e-3)),
      perCpuSecondWithPostgres: round(count / (appCpu + postgresCpu)),
      perSecond: round(count / seconds),
    };
    writeBenchResult(NAME, { target: TARGET_PER_CPU_SECOND, figures, meets: figures.perAppCpuSecond >= TARGET_PER_CPU_SECOND });
    return [
      { figure: 'DSNs sent, read, verified and applied', value: count, target: '', met: '' },
      { figure: 'wall clock, s (DSNs/s)', value: `${figures.seconds} (${figures.perSecond})`, target: '', met: '' },
      { figure: 'CPU s: service / PostgreSQL', value: `${figures.cpuSeconds.app} / ${figures.cpuSeconds.postgres}`, target: '', met: '' },
      { figure: 'DSNs per CPU-second of the service', value: figures.perAppCpuSecond, target: `≥ ${TARGET_PER_CPU_SECOND}`, met: figures.perAppCpuSecond >= TARGET_PER_CPU_SECOND ? 'yes' : 'NO' },
      { figure: 'service CPU while idle, cores', value: figures.idleCores, target: '', met: '' },
      { figure: 'DSNs per CPU-second of the service, its idle CPU taken out', value: figures.perAppCpuSecondNetOfIdle, target: '', met: '' },
      { figure: 'DSNs per CPU-second, PostgreSQL included', value: figures.perCpuSecondWithPostgres, target: '', met: '' },
    ];
  } finally {
    await app?.close().catch(() => undefined);
    await db.drop();
  }
}
