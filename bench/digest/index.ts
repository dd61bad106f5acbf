import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { INestApplicationContext } from '@nestjs/common';
import { Client } from 'pg';
import { Clock } from '../../src/common/clock';
import { loadConfig } from '../../src/config/config';
import { ArticleCatalog } from '../../src/digests/article-catalog';
import { DigestRunReport, DigestRunService } from '../../src/digests/digest-run.service';
import { selectDigestArticlesIndexed } from '../../src/digests/matching';
import { selectRelatedStoriesIndexed } from '../../src/digests/related-index';
import { ArticleView, DigestEmailData } from '../../src/mail/email-data';
import { buildMessage } from '../../src/mail/mime';
import { TemplateRenderer } from '../../src/mail/template-renderer';
import { ReaderLinks } from '../../src/subscriptions/reader-links';
import { databaseUrl } from '../../scripts/database-url';
import { maintenanceUrl } from '../../scripts/infra/postgres';
import { createBenchDatabase } from '../support/bench-database';
import { BenchRow, positiveIntFromEnv, round, wallClock, writeBenchResult } from '../support/bench-result';
import { CountingSink } from '../support/counting-sink';
import { ownCpuSeconds, PostgresCpu } from '../support/process-cpu';
import { PhaseProfiler } from '../support/run-profiler';
import { NaiveDigestPath, NaiveEmail } from './naive-path';
import { seed, SeedOptions } from './seed';
import { startDigestService } from './service';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aDkimKey } from '../../src/mail/testing/dkim-keys';

/*
 * bench/digest (issue 5): one digest run at 07:00 for BENCH_SUBSCRIBERS confirmed readers
 * (default 100,000; 3–8 tags each out of BENCH_TAGS = 500, Zipf-skewed) over
 * BENCH_ARTICLES = 300 articles published in the day before. The service (scheduler's
 * run, outbox worker, renderer, pooled SMTP) runs in this process; the SMTP sink, which
 * counts and discards, in a child process. Measured: from run(07:00) to the last message
 * accepted by the sink; CPU of this process, of PostgreSQL's backends for the bench
 * database and of the sink; time spent matching; peak RSS. Then, in the same run, the
 * naive path (MJML compiled per email + stock nodemailer) on BENCH_NAIVE_SAMPLE digests
 * (default 300) of the run, with the ratio.
 * Smoke run: BENCH_SUBSCRIBERS=5000 BENCH_NAIVE_SAMPLE=50 npm run bench -- digest
 * Then the same run again with every digest DKIM-signed, RSA-2048 and Ed25519, each on a fresh
 * database seeded alike (BENCH_DKIM=rsa,ed25519 by default; BENCH_DKIM=none skips them).
 * BENCH_PROFILE=1 writes a CPU profile of the run (only) to bench/results/profiles/digest-run.cpuprofile.
 */

const NAME = 'digest';
const AT = new Date('2026-11-24T07:00:00Z');
const FROM = 'Dispatch <news@bench.test>';
const TARGETS = { perCoreDigestsPerSecond: 1_000, ratioToNaive: 20, matchingSecondsPerMillion: 3, rssMbPerMillion: 300, signedPerCoreDigestsPerSecond: 600 };

class FixedClock extends Clock {
  now(): Date {
    return new Date(AT);
  }
}

/** Samples this process's RSS while the run goes on: the high-water mark of the run itself, not of the seeding. */
class RssSampler {
  peak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 250) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return this.peak;
  }

  private sample(): void {
    this.peak = Math.max(this.peak, process.memoryUsage.rss());
  }
}

interface ServiceRun {
  report: DigestRunReport;
  /** From run() to the last message accepted. */
  seconds: number;
  /** From run() until every due reader was decided and queued. */
  decideSeconds: number;
  appCpu: number;
  postgresCpu: number;
  /** The part of appCpu and postgresCpu spent until run() returned: deciding and queueing. */
  appCpuDeciding: number;
  postgresCpuDeciding: number;
  sinkCpu: number;
  peakRssBytes: number;
  /** RSS when the run started: the service at rest, its templates compiled. */
  startRssBytes: number;
  averageMessageBytes: number;
}

async function measureServiceRun(app: INestApplicationContext, sink: CountingSink, databaseName: string, subscribers: number, profile: boolean): Promise<ServiceRun> {
  const postgres = await PostgresCpu.watch(maintenanceUrl(databaseUrl()), databaseName);
  await postgres.start();
  const sinkBefore = await sink.reset();
  const startRssBytes = process.memoryUsage.rss();
  const rss = new RssSampler();
  const profiler = await PhaseProfiler.start(profile);
  const cpuBefore = ownCpuSeconds();
  const started = wallClock();

  const report = await app.get(DigestRunService).run(AT, 'manual');
  const decided = wallClock();
  const appCpuDeciding = ownCpuSeconds() - cpuBefore;
  const postgresCpuDeciding = await postgres.sofar();
  const sinkAfter = await sink.waitFor(report.queued, Math.max(120_000, subscribers * 5));

  const appCpu = ownCpuSeconds() - cpuBefore;
  const peakRssBytes = rss.stop();
  if (profiler) console.log(`profile of the run: ${await profiler.stop('digest-run')}`);
  const postgresCpu = await postgres.stop();
  return {
    report,
    seconds: (sinkAfter.last - started) / 1000,
    decideSeconds: (decided - started) / 1000,
    appCpu,
    postgresCpu,
    appCpuDeciding,
    postgresCpuDeciding,
    sinkCpu: sinkAfter.cpuSeconds - sinkBefore.cpuSeconds,
    peakRssBytes,
    startRssBytes,
    averageMessageBytes: sinkAfter.bytes / Math.max(1, sinkAfter.accepted),
  };
}

/** The run's own digests, as the renderer needs them, for the naive path and the per-email costs. */
async function sampleOfRun(url: string, app: INestApplicationContext, size: number): Promise<NaiveEmail[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ messageId: string; articleIds: string[]; relatedIds: string[]; more: number; id: string; email: string; tokenVersion: number }>(
      `SELECT d."messageId", d."articleIds", d."relatedIds", COALESCE((d."payload"->>'more')::int, 0) AS more, s."id", s."email", s."tokenVersion"
       FROM "Delivery" d JOIN "Subscriber" s ON s."id" = d."subscriberId"
       WHERE d."kind" = 'digest' ORDER BY d."id" LIMIT $1`,
      [size],
    );
    const articles = await client.query<{ id: string; title: string; url: string; summary: string; tags: string[]; imageUrl: string; publishedAt: Date; author: string }>(
      'SELECT "id", "title", "url", "summary", "tags", "imageUrl", "publishedAt", "author" FROM "Article"',
    );
    const byId = new Map<string, ArticleView>(articles.rows.map((a) => [a.id, a]));
    const links = app.get(ReaderLinks);
    return rows.map((row) => {
      const pick = (ids: string[]) => ids.map((id) => byId.get(id)).filter((a): a is ArticleView => a !== undefined);
      const holder = { id: row.id, tokenVersion: row.tokenVersion };
      const data: DigestEmailData = {
        articles: pick(row.articleIds),
        more: row.more,
        moreUrl: 'https://news.example.com/',
        related: pick(row.relatedIds),
        preferencesUrl: links.preferencesUrl(holder),
        unsubscribeUrl: links.unsubscribeUrl(holder),
      };
      return { to: row.email, messageId: row.messageId, data };
    });
  } finally {
    await client.end();
  }
}

interface DecideCpu {
  matchingSecondsPerMillion: number;
  relatedSecondsPerMillion: number;
}

/**
 * Matching and related stories again, over every reader of the bench, in a tight loop
 * timed in CPU time: the run times them with the wall clock, which a busy machine
 * inflates (it counts the time the process waits for a core).
 */
async function decideCpu(url: string): Promise<DecideCpu> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const articles = await client.query<{ id: string; tags: string[]; publishedAt: Date; createdAt: Date }>(
      'SELECT "id", "tags", "publishedAt", "createdAt" FROM "Article"',
    );
    const catalog = new ArticleCatalog({ from: new Date(AT.getTime() - 8 * 24 * 3_600_000), to: AT }, articles.rows);
    const related = catalog.relatedIndexFor(AT);
    const window = { from: new Date(AT.getTime() - 24 * 3_600_000), to: AT };
    const none = new Set<string>();
    let matchingCpu = 0;
    let relatedCpu = 0;
    let readers = 0;
    // Keyset pages: OFFSET made each page re-read every reader before it, quadratic at a million.
    for (let after = '00000000-0000-0000-0000-000000000000'; ; ) {
      const { rows } = await client.query<{ id: string; tags: string[] }>('SELECT "id", "tags" FROM "Subscriber" WHERE "id" > $1 ORDER BY "id" LIMIT 10000', [after]);
      if (rows.length === 0) break;
      after = rows[rows.length - 1].id;
      const started = ownCpuSeconds();
      const selections = rows.map((row) => selectDigestArticlesIndexed(catalog.index, { subscriberTags: row.tags, alreadySent: none, window, limit: 10 }));
      const matched = ownCpuSeconds();
      for (const selection of selections) selectRelatedStoriesIndexed(related, { digestArticles: selection.articles, exclude: none, limit: 5 });
      relatedCpu += ownCpuSeconds() - matched;
      matchingCpu += matched - started;
      readers += rows.length;
    }
    return { matchingSecondsPerMillion: (matchingCpu / readers) * 1e6, relatedSecondsPerMillion: (relatedCpu / readers) * 1e6 };
  } finally {
    await client.end();
  }
}

/** CPU cost per email of the two steps the worker does for each: fill the compiled template, build the MIME. */
function perEmailCosts(renderer: TemplateRenderer, sample: readonly NaiveEmail[]): { fillMicros: number; mimeMicros: number; htmlBytes: number } {
  const rounds = Math.max(1, Math.ceil(2_000 / sample.length));
  let fill = 0;
  let mime = 0;
  let htmlBytes = 0;
  for (let r = 0; r < rounds; r++) {
    for (const email of sample) {
      const t0 = performance.now();
      const rendered = renderer.render('digest', email.data);
      const t1 = performance.now();
      buildMessage({ from: FROM, to: email.to, subject: rendered.subject, messageId: email.messageId, date: AT, html: rendered.html, text: rendered.text, headers: { 'List-Unsubscribe': `<${email.data.unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } });
      mime += performance.now() - t1;
      fill += t1 - t0;
      htmlBytes += Buffer.byteLength(rendered.html);
    }
  }
  const n = rounds * sample.length;
  return { fillMicros: (fill / n) * 1000, mimeMicros: (mime / n) * 1000, htmlBytes: htmlBytes / n };
}

interface SignedRun {
  mode: 'rsa' | 'ed25519';
  digests: number;
  seconds: number;
  appCpu: number;
  postgresCpu: number;
  sinkCpu: number;
}

/**
 * The same run again, on a fresh database seeded alike, with every digest DKIM-signed: the cost of
 * signing side by side with the unsigned run. BENCH_DKIM=none skips them.
 */
async function measureSignedRun(mode: 'rsa' | 'ed25519', options: SeedOptions, poolSize: number, sink: CountingSink): Promise<SignedRun> {
  const db = await createBenchDatabase(`dispatch_bench_digest_${mode}_${process.pid}`);
  const keyFile = join(mkdtempSync(join(tmpdir(), 'dispatch-bench-dkim-')), 'dkim.pem');
  writeFileSync(keyFile, aDkimKey(mode).privateKeyPem);
  let app: INestApplicationContext | undefined;
  try {
    await seed(db.url, options);
    app = await startDigestService(benchConfig(db.url, sink.url, poolSize, { DKIM_DOMAIN: 'bench.test', DKIM_SELECTOR: 'bench', DKIM_PRIVATE_KEY_FILE: keyFile }), new FixedClock());
    const measured = await measureServiceRun(app, sink, db.name, options.subscribers, false);
    return { mode, digests: measured.report.queued, seconds: measured.seconds, appCpu: measured.appCpu, postgresCpu: measured.postgresCpu, sinkCpu: measured.sinkCpu };
  } finally {
    await app?.close().catch(() => undefined);
    await db.drop();
  }
}

function benchConfig(url: string, smtpUrl: string, poolSize: number, extra: Record<string, string> = {}) {
  return loadConfig({
    NODE_ENV: 'production',
    TOKEN_SECRET: 'bench-token-secret-0123456789abcdef',
    DATABASE_URL: url,
    SMTP_URL: smtpUrl,
    SMTP_POOL_SIZE: String(poolSize),
    MAIL_FROM: FROM,
    PUBLIC_BASE_URL: 'https://dispatch.example.com',
    DIGEST_TICK_CRON: '0 0 1 1 *',
    LOG_LEVEL: 'warn',
    ...extra,
  });
}

function signedModes(): Array<'rsa' | 'ed25519'> {
  const wanted = (process.env.BENCH_DKIM ?? 'rsa,ed25519').split(',').map((mode) => mode.trim());
  return (['rsa', 'ed25519'] as const).filter((mode) => wanted.includes(mode));
}

export async function run(): Promise<BenchRow[]> {
  const options: SeedOptions = {
    subscribers: positiveIntFromEnv('BENCH_SUBSCRIBERS', 100_000),
    articles: positiveIntFromEnv('BENCH_ARTICLES', 300),
    tags: positiveIntFromEnv('BENCH_TAGS', 500),
    at: AT,
    weeklyShare: 0.15,
  };
  const naiveSample = positiveIntFromEnv('BENCH_NAIVE_SAMPLE', 300);
  const poolSize = positiveIntFromEnv('BENCH_SMTP_POOL_SIZE', 8);

  const db = await createBenchDatabase(`dispatch_bench_digest_${process.pid}`);
  const sink = await CountingSink.start();
  let app: INestApplicationContext | undefined;
  try {
    const seedStarted = performance.now();
    await seed(db.url, options);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    app = await startDigestService(benchConfig(db.url, sink.url, poolSize), new FixedClock());

    const service = await measureServiceRun(app, sink, db.name, options.subscribers, process.env.BENCH_PROFILE === '1');
    const sample = await sampleOfRun(db.url, app, naiveSample);
    const costs = perEmailCosts(app.get(TemplateRenderer), sample);
    const decide = await decideCpu(db.url);
    await app.close();
    app = undefined;
    const naive = await new NaiveDigestPath('https://dispatch.example.com/').send(sample, sink, FROM, poolSize);
    const signed: SignedRun[] = [];
    for (const mode of signedModes()) signed.push(await measureSignedRun(mode, options, poolSize, sink));

    const { report } = service;
    const digests = report.queued;
    const serviceCpu = service.appCpu + service.postgresCpu;
    const perCore = digests / serviceCpu;
    const perCoreWithSink = digests / (serviceCpu + service.sinkCpu);
    const naivePerCore = naive.digests / naive.cpuSeconds;
    const ratio = perCoreWithSink / naivePerCore;
    const perMillion = (ms: number) => ms / 1000 / options.subscribers * 1e6;
    const rssMb = service.peakRssBytes / 2 ** 20;

    const figures = {
      subscribers: options.subscribers,
      articles: options.articles,
      digests,
      nothingNew: report.nothingNew,
      seedSeconds: round(seedSeconds, 1),
      endToEndSeconds: round(service.seconds, 2),
      decideAndQueueSeconds: round(service.decideSeconds, 2),
      digestsPerSecond: round(digests / service.seconds),
      cpuSeconds: { app: round(service.appCpu, 2), postgres: round(service.postgresCpu, 2), sink: round(service.sinkCpu, 2) },
      decidingCpuSeconds: { app: round(service.appCpuDeciding, 2), postgres: round(service.postgresCpuDeciding, 2) },
      coresUsed: round((serviceCpu + service.sinkCpu) / service.seconds, 2),
      digestsPerSecondPerCore: round(perCore),
      digestsPerAppCpuSecond: round(digests / service.appCpu),
      digestsPerSecondPerCoreWithSink: round(perCoreWithSink),
      matchingSeconds: round(report.matchingMs / 1000, 3),
      matchingSecondsPerMillion: round(perMillion(report.matchingMs), 2),
      planningCpuSecondsPerMillion: round(perMillion(report.planningCpuMs), 2),
      matchingCpuSecondsPerMillion: round(decide.matchingSecondsPerMillion, 2),
      relatedCpuSecondsPerMillion: round(decide.relatedSecondsPerMillion, 2),
      relatedSeconds: round(report.relatedMs / 1000, 3),
      relatedSecondsPerMillion: round(perMillion(report.relatedMs), 2),
      peakRssMb: round(rssMb),
      startRssMb: round(service.startRssBytes / 2 ** 20),
      loadAverage: loadavg().map((value) => round(value, 1)),
      averageMessageKb: round(service.averageMessageBytes / 1024, 1),
      averageHtmlKb: round(costs.htmlBytes / 1024, 1),
      fillMicrosPerEmail: round(costs.fillMicros, 1),
      mimeMicrosPerEmail: round(costs.mimeMicros, 1),
      naive: {
        digests: naive.digests,
        seconds: round(naive.seconds, 2),
        digestsPerSecond: round(naive.digests / naive.seconds, 1),
        digestsPerSecondPerCore: round(naivePerCore, 1),
        mjmlMsPerEmail: round((naive.mjmlSeconds / naive.digests) * 1000, 1),
      },
      ratioPerCore: round(ratio, 1),
      dkim: signed.map((entry) => ({
        mode: entry.mode,
        digests: entry.digests,
        seconds: round(entry.seconds, 2),
        cpuSeconds: { app: round(entry.appCpu, 2), postgres: round(entry.postgresCpu, 2), sink: round(entry.sinkCpu, 2) },
        digestsPerSecondPerCore: round(entry.digests / (entry.appCpu + entry.postgresCpu)),
        digestsPerAppCpuSecond: round(entry.digests / entry.appCpu),
        addedAppCpuMsPerDigest: round(((entry.appCpu / entry.digests) - service.appCpu / digests) * 1000, 3),
      })),
    };
    const meets = {
      perCore: perCore >= TARGETS.perCoreDigestsPerSecond,
      ratio: ratio >= TARGETS.ratioToNaive,
      matching: figures.matchingCpuSecondsPerMillion <= TARGETS.matchingSecondsPerMillion,
    };
    writeBenchResult(NAME, { options: { ...options, naiveSample, poolSize }, targets: TARGETS, figures, meets, report });

    const ok = (met: boolean) => (met ? 'yes' : 'NO');
    return [
      { figure: 'digests queued and accepted (nothing new)', value: `${digests} (${report.nothingNew})`, target: '', met: '' },
      { figure: 'run(07:00) → last message accepted, s', value: figures.endToEndSeconds, target: '', met: '' },
      { figure: '  until every digest was queued (sending under way meanwhile), s', value: figures.decideAndQueueSeconds, target: '', met: '' },
      { figure: 'digests/s (wall clock)', value: figures.digestsPerSecond, target: '', met: '' },
      { figure: 'CPU s: app / PostgreSQL / sink', value: `${figures.cpuSeconds.app} / ${figures.cpuSeconds.postgres} / ${figures.cpuSeconds.sink}`, target: '', met: '' },
      { figure: '  CPU s until every digest was queued: app / PostgreSQL', value: `${figures.decidingCpuSeconds.app} / ${figures.decidingCpuSeconds.postgres}`, target: '', met: '' },
      { figure: 'digests/s per core (app + PostgreSQL CPU)', value: figures.digestsPerSecondPerCore, target: `≥ ${TARGETS.perCoreDigestsPerSecond}`, met: ok(meets.perCore) },
      { figure: 'digests per CPU-second of the service process alone', value: figures.digestsPerAppCpuSecond, target: '', met: '' },
      { figure: 'digests/s per core, SMTP sink included', value: figures.digestsPerSecondPerCoreWithSink, target: '', met: '' },
      { figure: `naive digests/s per core (MJML per email + nodemailer, ${naive.digests})`, value: figures.naive.digestsPerSecondPerCore, target: '', met: '' },
      { figure: 'ratio per core (sink included on both sides)', value: `${figures.ratioPerCore}x`, target: `≥ ${TARGETS.ratioToNaive}x`, met: ok(meets.ratio) },
      { figure: 'matching, CPU s per million subscribers', value: figures.matchingCpuSecondsPerMillion, target: `≤ ${TARGETS.matchingSecondsPerMillion}`, met: ok(meets.matching) },
      { figure: 'related stories, CPU s per million subscribers', value: figures.relatedCpuSecondsPerMillion, target: '', met: '' },
      { figure: 'matching / related in the run, wall s per million', value: `${figures.matchingSecondsPerMillion} / ${figures.relatedSecondsPerMillion}`, target: '', met: '' },
      { figure: 'whole decide step (schedule + matching + related), CPU s per million', value: figures.planningCpuSecondsPerMillion, target: '', met: '' },
      { figure: 'peak RSS during the run (at its start), MB', value: `${figures.peakRssMb} (${figures.startRssMb})`, target: `≤ ${TARGETS.rssMbPerMillion} at 1M`, met: '' },
      { figure: 'machine load average (1, 5, 15 min) at the end', value: figures.loadAverage.join(' / '), target: '', met: '' },
      { figure: 'per email: fill µs / MIME µs / MJML (naive) ms', value: `${figures.fillMicrosPerEmail} / ${figures.mimeMicrosPerEmail} / ${figures.naive.mjmlMsPerEmail}`, target: '', met: '' },
      { figure: 'message size / HTML size, KB', value: `${figures.averageMessageKb} / ${figures.averageHtmlKb}`, target: '', met: '' },
      ...figures.dkim.map((entry) => ({
        figure: `DKIM ${entry.mode === 'rsa' ? 'RSA-2048' : 'Ed25519'}: digests/s per core (app + PostgreSQL) / per app CPU-s; added app CPU ms per digest`,
        value: `${entry.digestsPerSecondPerCore} / ${entry.digestsPerAppCpuSecond}; +${entry.addedAppCpuMsPerDigest}`,
        target: entry.mode === 'rsa' ? `≥ ${TARGETS.signedPerCoreDigestsPerSecond}` : '',
        met: entry.mode === 'rsa' ? ok(entry.digestsPerSecondPerCore >= TARGETS.signedPerCoreDigestsPerSecond) : '',
      })),
    ];
  } finally {
    await app?.close().catch(() => undefined);
    await sink.stop();
    await db.drop();
  }
}
