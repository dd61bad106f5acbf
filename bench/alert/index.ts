import { Agent } from 'node:https';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, Partitioners, Producer } from 'kafkajs';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Client } from 'pg';
import { generateVAPIDKeys } from 'web-push';
import { loadConfig } from '../../src/config/config';
import { createApp } from '../../src/main';
import { TemplateRenderer } from '../../src/mail/template-renderer';
import { databaseUrl } from '../../scripts/database-url';
import { kafkaBrokersFromEnv } from '../../scripts/infra/kafka';
import { freePort } from '../../scripts/infra/net';
import { maintenanceUrl } from '../../scripts/infra/postgres';
import { createBenchDatabase } from '../support/bench-database';
import { BenchRow, positiveIntFromEnv, round, wallClock, writeBenchResult } from '../support/bench-result';
import { ownCpuSeconds, PostgresCpu } from '../support/process-cpu';
import { PhaseProfiler } from '../support/run-profiler';
import { stockNodemailer, ThroughputResult } from './baseline';
import { transportCeiling } from './transport-ceiling';
import { DkimSigner } from '../../src/mail/dkim-signer';
import { aDkimKey } from '../../src/mail/testing/dkim-keys';
import { alertPush, PushMessage } from '../../src/push/push-message';
import { audienceTag, benchArticle, PUSH_ALL_TAG, PUSH_SMALL_TAG, seedArticles, seedPushSubscriptions, seedReaders, SMALL_TAG } from './seed';
import { SinkProcess } from './sink-client';
import { PushServiceProcess } from './push-service-client';
import { encryptionFloor, pushTransportCeiling, vapidSigningFloor } from './push-floor';
import type { FamilyStats } from './sink-process';

/**
 * bench/alert: how fast a breaking alert reaches readers (issue 6).
 * The service runs in this process; the SMTP sink runs in a child process and
 * timestamps each accepted message, so "first" and "last" are when the SMTP
 * server accepted them, measured from just before the POST (or the Kafka send).
 *
 * Columns: msgs/s is recipients over the time to the last message; msgs/CPU-s is
 * recipients per CPU-second of the service's process (the "per core" figure: the
 * service is one Node.js thread); PG msgs/CPU-s the same for PostgreSQL's backends.
 * Two rows without a database put it in proportion: the service's own SMTP transport
 * alone (the ceiling for fan-out) and stock pooled nodemailer sendMail (the baseline
 * the "vs stock" ratios divide by), both on the same sink in the same run.
 *
 * Environment: BENCH_ALERT_SIZES (default 10000,100000), BENCH_ALERT_REPEATS
 * (small alerts per path for the first-message percentiles, default 40),
 * BENCH_ALERT_SMALL (readers of a small alert, default 20), BENCH_ALERT_BASELINE
 * (messages for the baseline and ceiling rows, default 10000).
 *
 * Web push (issue 15): the service pushes to a loopback push service in a child process
 * of its own (push-service-process.ts: HTTPS, answers 201, checks every push's VAPID, TTL,
 * Urgency and Topic and decrypts one in 1,000). Push subscriptions carry only push tags,
 * so a push alert reaches no reader by email and its rows measure web push alone:
 * first push accepted after POST /alerts over small push alerts (interleaved with the
 * email ones), and pushes per CPU-second of the service's process (and of PostgreSQL's
 * backends) for one alert to every push subscription. Beside them, in the same run: the
 * service's WebPushTransport alone (no database), web-push's encryption of one payload
 * (no HTTP: the floor) and VAPID JWT signing alone.
 * BENCH_PUSH_SUBSCRIPTIONS (default 100000), BENCH_PUSH_SMALL (push subscriptions of a
 * small push alert, default 20), BENCH_PUSH_POOL (distinct browser key pairs, default
 * 1000), BENCH_PUSH_FLOOR (operations of the floor rows, default 5000).
 *
 * Quick smoke run: BENCH_ALERT_SIZES=2000 BENCH_ALERT_REPEATS=10 BENCH_ALERT_BASELINE=2000 BENCH_PUSH_SUBSCRIPTIONS=5000.
 * BENCH_PROFILE=1 writes a CPU profile of each large alert (only) to bench/results/profiles/.
 */

const NAME = 'alert';
const VAPID_SUBJECT = 'mailto:ops@bench.test';
const EDITOR_KEY = 'bench-editor-key-0123456789';
const POOL_SIZE = 8;
const TARGETS = { firstP50Ms: 250, firstP99Ms: 1000, perCoreMessagesPerSecond: 2000 };
const PUSH_TARGETS = { firstP50Ms: 100, perCorePushesPerSecond: 3000 };
/** One push in this many is decrypted by the bench's push service. */
const PUSH_SAMPLE_EVERY = 1000;
const WARM_UP = 3;
/** Alerts at least this large also measure PostgreSQL's CPU. */
const LARGE = 1000;

interface Options {
  sizes: number[];
  repeats: number;
  small: number;
  baseline: number;
  pushSubscriptions: number;
  pushSmall: number;
  pushPool: number;
  pushFloor: number;
}

function readOptions(env = process.env): Options {
  const sizes = (env.BENCH_ALERT_SIZES ?? '10000,100000').split(',').map((part) => part.trim());
  if (sizes.some((size) => !/^[1-9]\d*$/.test(size))) throw new Error(`BENCH_ALERT_SIZES must be positive integers separated by commas, got ${env.BENCH_ALERT_SIZES}`);
  return {
    sizes: sizes.map(Number),
    repeats: positiveIntFromEnv('BENCH_ALERT_REPEATS', 40, env),
    small: positiveIntFromEnv('BENCH_ALERT_SMALL', 20, env),
    baseline: positiveIntFromEnv('BENCH_ALERT_BASELINE', 10_000, env),
    pushSubscriptions: positiveIntFromEnv('BENCH_PUSH_SUBSCRIPTIONS', 100_000, env),
    pushSmall: positiveIntFromEnv('BENCH_PUSH_SMALL', 20, env),
    pushPool: positiveIntFromEnv('BENCH_PUSH_POOL', 1000, env),
    pushFloor: positiveIntFromEnv('BENCH_PUSH_FLOOR', 5000, env),
  };
}

/** Nearest-rank percentile. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

interface Sample {
  recipients: number;
  firstMs: number;
  lastMs: number;
  /** CPU of the service's process (this one) from the trigger to the last message accepted. */
  cpuSeconds: number;
  /** CPU of the PostgreSQL backends serving it, when measured (large alerts). */
  postgresCpuSeconds?: number;
}

interface Scenario {
  scenario: string;
  path: 'POST /alerts' | 'breaking event' | 'POST /alerts → push';
  samples: Sample[];
}

class AlertBench {
  private readonly db: Client;
  private producer!: Producer;
  private app!: NestExpressApplication;
  private baseUrl = '';
  private topic = '';
  private counter = 0;
  private profiles = 0;
  private stopped = false;

  constructor(
    private readonly sink: SinkProcess,
    private readonly push: PushServiceProcess,
    private readonly vapid: { publicKey: string; privateKey: string },
    private readonly databaseUrl: string,
    private readonly databaseName: string,
  ) {
    this.db = new Client({ connectionString: databaseUrl });
  }

  async start(): Promise<void> {
    await this.db.connect();
    const port = await freePort();
    const suffix = Date.now().toString(36);
    this.topic = `bench-alert-articles-${suffix}`;
    const brokers = kafkaBrokersFromEnv();
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: String(port),
      DATABASE_URL: this.databaseUrl,
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_CLIENT_ID: 'dispatch-bench-alert',
      KAFKA_GROUP_ID: `bench-alert-${suffix}`,
      KAFKA_TOPIC_ARTICLES: this.topic,
      KAFKA_TOPIC_DLQ: `${this.topic}-dlq`,
      SMTP_URL: this.sink.url,
      SMTP_POOL_SIZE: String(POOL_SIZE),
      MAIL_FROM: 'Dispatch <news@bench.test>',
      EDITOR_API_KEYS: EDITOR_KEY,
      // No digest is due during the run: the scheduler's ticks would only add noise.
      DIGEST_TICK_CRON: '0 0 1 1 *',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      VAPID_PUBLIC_KEY: this.vapid.publicKey,
      VAPID_PRIVATE_KEY: this.vapid.privateKey,
      VAPID_SUBJECT: VAPID_SUBJECT,
      PUSH_ENDPOINT_HOSTS: '127.0.0.1',
    });
    // As the service's own agent (keep-alive, 64 sockets), trusting the bench push service's certificate.
    this.app = await createApp(config, { pushAgent: new Agent({ ca: this.push.certPem, keepAlive: true, maxSockets: 64 }) });
    await this.app.listen(port, '127.0.0.1');
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.producer = new Kafka({ clientId: 'dispatch-bench-alert-cms', brokers, logLevel: logLevel.WARN }).producer({
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await this.producer.connect();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.producer?.disconnect();
    await this.app?.close();
    await this.db.end();
  }

  renderer(): TemplateRenderer {
    return this.app.get(TemplateRenderer);
  }

  /** POST /alerts for a stored article; the clock starts just before the request. */
  async viaApi(articleId: string, recipients: number): Promise<Sample> {
    return this.measure('alert', recipients, () => this.postAlert(articleId, recipients), this.mailsOf(recipients));
  }

  /** POST /alerts for an article only push subscriptions follow: measured to the pushes the push service accepted. */
  async viaApiPush(articleId: string, pushes: number): Promise<Sample> {
    return this.measure('push', pushes, () => this.postAlert(articleId, pushes), (alertId) =>
      this.push.waitFor(alertId.replace(/-/g, ''), pushes, Math.max(120_000, pushes * 30)),
    );
  }

  /** `recipients`: the audience the service must count, readers by email and browsers by push. */
  private async postAlert(articleId: string, recipients: number): Promise<string> {
    const res = await fetch(`${this.baseUrl}/alerts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${EDITOR_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ articleId }),
    });
    const body = (await res.json()) as { alertId?: string; recipients?: number };
    if (res.status !== 202 || !body.alertId) throw new Error(`POST /alerts answered ${res.status}: ${JSON.stringify(body)}`);
    if (body.recipients !== recipients) throw new Error(`expected ${recipients} recipients, the service counted ${body.recipients}`);
    return body.alertId;
  }

  private mailsOf(recipients: number): (alertId: string) => Promise<FamilyStats> {
    return (alertId) => this.sink.waitFor(`alert.${alertId}`, recipients, Math.max(120_000, recipients * 30));
  }

  /** A breaking: true event for a new article; the clock starts just before the produce. */
  async viaEvent(tag: string, recipients: number): Promise<Sample> {
    const event = benchArticle(`bench-event-${++this.counter}-${Date.now().toString(36)}`, [tag], new Date(), true);
    return this.measure(
      'alert',
      recipients,
      async () => {
        await this.producer.send({ topic: this.topic, acks: 1, messages: [{ key: event.id, value: JSON.stringify(event) }] });
        return this.alertIdOf(event.id);
      },
      this.mailsOf(recipients),
    );
  }

  /** From the trigger to the last message `delivered` reports; `label` names the profile. */
  private async measure(label: string, recipients: number, trigger: () => Promise<string>, delivered: (alertId: string) => Promise<FamilyStats>): Promise<Sample> {
    const postgres = recipients >= LARGE ? await PostgresCpu.watch(maintenanceUrl(this.databaseUrl), this.databaseName) : undefined;
    // Sampled once a second: the sampling runs in this process, whose CPU is the service's figure.
    await postgres?.start(1000);
    const profiler = await PhaseProfiler.start(recipients >= LARGE && process.env.BENCH_PROFILE === '1');
    const cpu = ownCpuSeconds();
    const started = wallClock();
    const alertId = await trigger();
    const stats = await delivered(alertId);
    const cpuSeconds = ownCpuSeconds() - cpu;
    await profiler?.stop(`${label}-${recipients}-${++this.profiles}`);
    const postgresCpuSeconds = await postgres?.stop();
    await this.settled(alertId);
    return { recipients, firstMs: stats.first - started, lastMs: stats.last - started, cpuSeconds, postgresCpuSeconds };
  }

  private async alertIdOf(articleId: string): Promise<string> {
    for (;;) {
      const { rows } = await this.db.query<{ id: string }>('SELECT "id" FROM "Alert" WHERE "articleId" = $1', [articleId]);
      if (rows[0]) return rows[0].id;
      await sleep(5);
    }
  }

  /** Between measurements: the alert is recorded as sent, so one run's bookkeeping never lands in the next. */
  private async settled(alertId: string): Promise<void> {
    for (;;) {
      const { rows } = await this.db.query<{ status: string }>('SELECT "status" FROM "Alert" WHERE "id" = $1', [alertId]);
      if (rows[0]?.status === 'sent') return;
      await sleep(20);
    }
  }
}

function summarise(scenario: Scenario, baseline: ThroughputResult): BenchRow {
  const { samples } = scenario;
  const sum = (pick: (sample: Sample) => number) => samples.reduce((total, sample) => total + pick(sample), 0);
  const messages = sum((s) => s.recipients);
  const rate = messages / (sum((s) => s.lastMs) / 1000);
  const perCpu = messages / sum((s) => s.cpuSeconds);
  const postgres = samples.every((s) => s.postgresCpuSeconds !== undefined) ? sum((s) => s.postgresCpuSeconds ?? 0) : undefined;
  return {
    scenario: scenario.scenario,
    path: scenario.path,
    recipients: samples[0].recipients,
    runs: samples.length,
    'first p50 ms': round(percentile(samples.map((s) => s.firstMs), 50), 1),
    'first p99 ms': round(percentile(samples.map((s) => s.firstMs), 99), 1),
    'last p50 ms': round(percentile(samples.map((s) => s.lastMs), 50), 1),
    'msgs/s': Math.round(rate),
    'msgs/CPU-s': Math.round(perCpu),
    'PG msgs/CPU-s': postgres === undefined ? '-' : Math.round(messages / postgres),
    'msgs/s vs stock': ratio(rate, baseline.messages / baseline.seconds),
    'msgs/CPU-s vs stock': ratio(perCpu, baseline.messages / baseline.cpuSeconds),
  };
}

function throughputRow(scenario: string, path: string, result: ThroughputResult, baseline: ThroughputResult): BenchRow {
  return {
    ...floorRow(scenario, path, result),
    'msgs/s vs stock': ratio(result.messages / result.seconds, baseline.messages / baseline.seconds),
    'msgs/CPU-s vs stock': ratio(result.messages / result.cpuSeconds, baseline.messages / baseline.cpuSeconds),
  };
}

/** A push row: no stock baseline to compare with. */
function pushRow(row: BenchRow): BenchRow {
  return { ...row, 'msgs/s vs stock': '-', 'msgs/CPU-s vs stock': '-' };
}

/** Operations per second and per CPU-second of one path with no database, compared with nothing (a floor). */
function floorRow(scenario: string, path: string, result: ThroughputResult): BenchRow {
  return {
    scenario,
    path,
    recipients: result.messages,
    runs: 1,
    'first p50 ms': '-',
    'first p99 ms': '-',
    'last p50 ms': round(result.seconds * 1000, 1),
    'msgs/s': Math.round(result.messages / result.seconds),
    'msgs/CPU-s': Math.round(result.messages / result.cpuSeconds),
    'PG msgs/CPU-s': '-',
    'msgs/s vs stock': '-',
    'msgs/CPU-s vs stock': '-',
  };
}

function ratio(value: number, base: number): string {
  return `${(value / base).toFixed(2)}×`;
}

export async function run(): Promise<BenchRow[]> {
  const options = readOptions();
  const loadAtStart = loadavg();
  const db = await createBenchDatabase(`dispatch_bench_alert_${process.pid}`, databaseUrl());
  const sink = await SinkProcess.start();
  const vapid = generateVAPIDKeys();
  const push = await PushServiceProcess.start(vapid.publicKey, options.pushPool, PUSH_SAMPLE_EVERY);
  const bench = new AlertBench(sink, push, vapid, db.url, db.name);
  try {
    await seedReaders(db.url, options.sizes, options.small);
    await seedPushSubscriptions(db.url, push.origin, push.pool, options.pushSubscriptions, options.pushSmall);
    const now = Date.now();
    const hour = 3_600_000;
    const groups = [SMALL_TAG, ...options.sizes.map(audienceTag), PUSH_SMALL_TAG, PUSH_ALL_TAG];
    const related = groups.flatMap((tag) => [1, 2, 3, 4].map((i) => benchArticle(`related-${tag}-${i}`, [tag], new Date(now - i * hour))));
    const smallArticles = Array.from({ length: options.repeats + WARM_UP }, (_, i) => benchArticle(`small-${i}`, [SMALL_TAG], new Date(now)));
    const bigArticles = options.sizes.map((size) => benchArticle(`big-${size}`, [audienceTag(size)], new Date(now)));
    const smallPushArticles = Array.from({ length: options.repeats + WARM_UP }, (_, i) => benchArticle(`push-small-${i}`, [PUSH_SMALL_TAG], new Date(now)));
    const bigPushArticle = benchArticle(`push-big-${options.pushSubscriptions}`, [PUSH_ALL_TAG], new Date(now));
    await seedArticles(db.url, [...related, ...smallArticles, ...bigArticles, ...smallPushArticles, bigPushArticle]);
    await bench.start();

    // Unmeasured alerts on every path warm up the JIT, the pools and the SMTP and HTTPS connections.
    for (let i = 0; i < WARM_UP; i++) {
      await bench.viaApi(smallArticles[options.repeats + i].id, options.small);
      await bench.viaEvent(SMALL_TAG, options.small);
      await bench.viaApiPush(smallPushArticles[options.repeats + i].id, options.pushSmall);
    }

    // Interleaved, so no path gets the quieter part of the run.
    const smallApi: Scenario = { scenario: `small alert ×${options.repeats}`, path: 'POST /alerts', samples: [] };
    const smallEvent: Scenario = { scenario: `small alert ×${options.repeats}`, path: 'breaking event', samples: [] };
    const smallPush: Scenario = { scenario: `small push alert ×${options.repeats}`, path: 'POST /alerts → push', samples: [] };
    for (let i = 0; i < options.repeats; i++) {
      smallApi.samples.push(await bench.viaApi(smallArticles[i].id, options.small));
      smallEvent.samples.push(await bench.viaEvent(SMALL_TAG, options.small));
      smallPush.samples.push(await bench.viaApiPush(smallPushArticles[i].id, options.pushSmall));
    }
    const scenarios: Scenario[] = [smallApi, smallEvent];
    for (const [index, size] of options.sizes.entries()) {
      const label = `${size.toLocaleString('en')} readers`;
      scenarios.push({ scenario: label, path: 'POST /alerts', samples: [await bench.viaApi(bigArticles[index].id, size)] });
      scenarios.push({ scenario: label, path: 'breaking event', samples: [await bench.viaEvent(audienceTag(size), size)] });
    }
    const bigPush: Scenario = {
      scenario: `${options.pushSubscriptions.toLocaleString('en')} push subscriptions`,
      path: 'POST /alerts → push',
      samples: [await bench.viaApiPush(bigPushArticle.id, options.pushSubscriptions)],
    };

    const email = bench.renderer().render('alert', {
      article: { ...bigArticles[0], publishedAt: new Date(bigArticles[0].publishedAt) },
      related: related.slice(0, 3).map((a) => ({ ...a, publishedAt: new Date(a.publishedAt) })),
      preferencesUrl: 'http://localhost:3000/preferences?token=baseline',
      unsubscribeUrl: 'http://localhost:3000/unsubscribe?token=baseline',
    });
    await bench.stop();
    const pushConfig = { vapid: { ...vapid, subject: VAPID_SUBJECT }, endpointHosts: ['127.0.0.1'], allowedOrigins: [] };
    const pushMessage = alertPush({
      alertId: '00000000-0000-4000-8000-00000000ce11',
      article: { title: bigPushArticle.title, summary: bigPushArticle.summary, url: bigPushArticle.url },
      subscription: { endpoint: push.endpoint(0), ...push.pool[0] },
    }) as PushMessage;
    const pushCeiling = await pushTransportCeiling(push, pushConfig, pushMessage, options.baseline, POOL_SIZE * 4);
    const encryption = encryptionFloor(push.pool, pushMessage.payload, options.pushFloor);
    const vapidSigning = vapidSigningFloor(pushConfig, push.origin, options.pushFloor);
    const pushChecks = await push.checks();
    const baseline = await stockNodemailer(sink, email, options.baseline, POOL_SIZE);
    const ceiling = await transportCeiling(sink, email, options.baseline, POOL_SIZE, POOL_SIZE * 4);
    const signer = (mode: 'rsa' | 'ed25519') =>
      new DkimSigner({ domain: 'bench.test', selector: 'bench', privateKey: aDkimKey(mode).privateKeyPem, algorithm: mode === 'rsa' ? 'rsa-sha256' : 'ed25519-sha256' });
    const ceilingRsa = await transportCeiling(sink, email, options.baseline, POOL_SIZE, POOL_SIZE * 4, signer('rsa'));
    const ceilingEd25519 = await transportCeiling(sink, email, options.baseline, POOL_SIZE, POOL_SIZE * 4, signer('ed25519'));

    const rows = [
      ...scenarios.map((scenario) => summarise(scenario, baseline)),
      throughputRow('SmtpTransport + buildMessage alone (ceiling, no DB)', 'transport', ceiling, baseline),
      throughputRow('  the same, DKIM-signed with RSA-2048', 'transport + DKIM', ceilingRsa, baseline),
      throughputRow('  the same, DKIM-signed with Ed25519', 'transport + DKIM', ceilingEd25519, baseline),
      throughputRow('stock pooled nodemailer sendMail (baseline, no DB)', 'sendMail', baseline, baseline),
      pushRow(summarise(smallPush, baseline)),
      pushRow(summarise(bigPush, baseline)),
      floorRow('WebPushTransport alone (push ceiling, no DB)', 'push transport', pushCeiling),
      floorRow('web-push encrypt of one payload (floor, no HTTP)', 'encrypt', encryption),
      floorRow('VAPID JWT signing alone (web-push, no HTTP)', 'VAPID sign', vapidSigning),
    ];
    const firstSamples = [smallApi, smallEvent].flatMap((scenario) => scenario.samples.map((sample) => sample.firstMs));
    const large = scenarios.slice(2);
    const verdict = {
      firstP50Ms: round(percentile(firstSamples, 50), 1),
      firstP99Ms: round(percentile(firstSamples, 99), 1),
      worstMessagesPerCpuSecond: Math.round(Math.min(...large.map((s) => s.samples[0].recipients / s.samples[0].cpuSeconds))),
    };
    const [bigPushSample] = bigPush.samples;
    const pushVerdict = {
      firstP50Ms: round(percentile(smallPush.samples.map((s) => s.firstMs), 50), 1),
      firstP99Ms: round(percentile(smallPush.samples.map((s) => s.firstMs), 99), 1),
      pushesPerCpuSecond: Math.round(bigPushSample.recipients / bigPushSample.cpuSeconds),
      postgresPushesPerCpuSecond: bigPushSample.postgresCpuSeconds ? Math.round(bigPushSample.recipients / bigPushSample.postgresCpuSeconds) : null,
      transportAlonePerCpuSecond: Math.round(pushCeiling.messages / pushCeiling.cpuSeconds),
      encryptionFloorPerCpuSecond: Math.round(encryption.messages / encryption.cpuSeconds),
      vapidSigningPerCpuSecond: Math.round(vapidSigning.messages / vapidSigning.cpuSeconds),
    };
    const checksFailed = pushChecks.badVapid + pushChecks.badTtl + pushChecks.badUrgency + pushChecks.badTopic + pushChecks.badEncoding + pushChecks.badPayload;
    console.log(`push service: ${pushChecks.received} pushes received, ${pushChecks.decrypted} decrypted, ${checksFailed} failed a check ${JSON.stringify(pushChecks)}`);
    writeBenchResult(NAME, {
      loadAverage: { start: loadAtStart, end: loadavg() },
      options,
      targets: TARGETS,
      verdict: {
        ...verdict,
        meets: {
          firstP50: verdict.firstP50Ms <= TARGETS.firstP50Ms,
          firstP99: verdict.firstP99Ms <= TARGETS.firstP99Ms,
          perCore: verdict.worstMessagesPerCpuSecond >= TARGETS.perCoreMessagesPerSecond,
        },
      },
      push: {
        targets: PUSH_TARGETS,
        verdict: {
          ...pushVerdict,
          meets: {
            firstP50: pushVerdict.firstP50Ms <= PUSH_TARGETS.firstP50Ms,
            perCore: pushVerdict.pushesPerCpuSecond >= PUSH_TARGETS.perCorePushesPerSecond,
            checks: checksFailed === 0,
          },
        },
        checks: pushChecks,
        keyPool: options.pushPool,
        counted: 'CPU of the bench process, which runs the service (and polls the push service over IPC); PostgreSQL: its backends for the bench database; the push service child process is not counted',
        ceiling: pushCeiling,
        encryptionFloor: encryption,
        vapidSigning,
        samples: [smallPush, bigPush],
      },
      rows,
      samples: scenarios,
      baseline,
      ceiling,
      ceilingDkim: { rsa: ceilingRsa, ed25519: ceilingEd25519 },
    });
    return rows;
  } finally {
    await bench.stop().catch(() => undefined);
    await sink.stop();
    await push.stop();
    await db.drop();
  }
}
