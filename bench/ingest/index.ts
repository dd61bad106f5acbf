import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { Client } from 'pg';
import { databaseUrl } from '../../scripts/database-url';
import { ensureKafka, kafkaBrokersFromEnv } from '../../scripts/infra/kafka';
import { ensurePostgres } from '../../scripts/infra/postgres';
import { BenchDatabase, createBenchDatabase } from '../support/bench-database';
import { BenchRow, positiveIntFromEnv, round, writeBenchResult } from '../support/bench-result';
import { measureBatchedPath, PathResult } from './batched-path';
import { Meter } from './meter';
import { measureNaivePath } from './naive-path';
import { deleteTopics, prefillTopic } from './prefill';

/*
 * bench/ingest (issue 3): a topic pre-filled with BENCH_INGEST_EVENTS valid article
 * events (default 100,000) over BENCH_INGEST_PARTITIONS partitions (default 4, the
 * service's default), drained by one instance of the service — the real consumer
 * (eachBatch, one upsert statement per chunk) and ingestion service — into an empty
 * database; then, in the same run and from the same topic, by the naive consumer
 * (eachMessage, one Prisma upsert per message) into another empty database, for the
 * first BENCH_INGEST_NAIVE_EVENTS of them (default 10,000; set it to the full count to
 * drain the topic). Wall clock from the consumer
 * joining its group to the last event stored, and CPU of this process and of
 * PostgreSQL's backends. Prints events/s for both and the ratio.
 * Smoke run: BENCH_INGEST_EVENTS=5000 npm run bench -- ingest
 */

const NAME = 'ingest';
/**
 * The naive path costs ~5 ms of CPU per event here (most of it Prisma building each
 * query), so draining all 100,000 would take the better part of ten minutes on an idle
 * 2-core machine; its rate is measured on the first 10,000 events of the same topic.
 */
const NAIVE_DEFAULT = 10_000;

async function countArticles(db: BenchDatabase): Promise<number> {
  const client = new Client({ connectionString: db.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM "Article"');
    return rows[0].n;
  } finally {
    await client.end();
  }
}

function figuresOf(result: PathResult) {
  const cpu = result.appCpuSeconds + result.postgresCpuSeconds;
  return {
    events: result.stored,
    seconds: round(result.seconds, 2),
    eventsPerSecond: round(result.stored / result.seconds),
    cpuSeconds: { app: round(result.appCpuSeconds, 2), postgres: round(result.postgresCpuSeconds, 2) },
    eventsPerCpuSecond: round(result.stored / cpu),
  };
}

export async function run(): Promise<BenchRow[]> {
  const events = positiveIntFromEnv('BENCH_INGEST_EVENTS', 100_000);
  const naiveEvents = Math.min(events, positiveIntFromEnv('BENCH_INGEST_NAIVE_EVENTS', NAIVE_DEFAULT));
  const partitions = positiveIntFromEnv('BENCH_INGEST_PARTITIONS', 4);
  const brokers = kafkaBrokersFromEnv();
  await Promise.all([ensureKafka(brokers), ensurePostgres(databaseUrl())]);

  const topic = `bench-ingest-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const dlqTopic = `${topic}.dlq`;
  const serviceDb = await createBenchDatabase(`dispatch_bench_ingest_service_${process.pid}`);
  const naiveDb = await createBenchDatabase(`dispatch_bench_ingest_naive_${process.pid}`);
  try {
    await prefillTopic(brokers, topic, partitions, events);
    const service = await measureBatchedPath({
      brokers,
      databaseUrl: serviceDb.url,
      topic,
      dlqTopic,
      groupId: `${topic}-service`,
      count: events,
      meter: await Meter.forDatabase(serviceDb.name),
    });
    const naive = await measureNaivePath({
      brokers,
      databaseUrl: naiveDb.url,
      topic,
      groupId: `${topic}-naive`,
      count: naiveEvents,
      meter: await Meter.forDatabase(naiveDb.name),
    });
    const [serviceRows, naiveRows] = [await countArticles(serviceDb), await countArticles(naiveDb)];
    if (serviceRows !== events || naiveRows !== naiveEvents) {
      throw new Error(`expected ${events} and ${naiveEvents} articles, found ${serviceRows} (service) and ${naiveRows} (naive)`);
    }

    const figures = {
      // The machine is shared: wall-clock figures move with its load, CPU-based ones much less.
      loadAverage: loadavg().map((value) => round(value, 1)),
      service: figuresOf(service),
      naive: figuresOf(naive),
      ratio: round(service.stored / service.seconds / (naive.stored / naive.seconds), 1),
      ratioPerCpuSecond: round(service.stored / (service.appCpuSeconds + service.postgresCpuSeconds) / (naive.stored / (naive.appCpuSeconds + naive.postgresCpuSeconds)), 1),
    };
    writeBenchResult(NAME, { options: { events, naiveEvents, partitions }, figures });

    const row = (path: string, f: ReturnType<typeof figuresOf>): BenchRow => ({
      path,
      events: f.events,
      seconds: f.seconds,
      'events/s': f.eventsPerSecond,
      'CPU s (app / PostgreSQL)': `${f.cpuSeconds.app} / ${f.cpuSeconds.postgres}`,
      'events per CPU s': f.eventsPerCpuSecond,
    });
    return [
      row('service (eachBatch, one upsert statement per chunk)', figures.service),
      row('naive (eachMessage, one Prisma upsert per message)', figures.naive),
      { path: 'ratio service / naive', events: '', seconds: '', 'events/s': `${figures.ratio}x`, 'CPU s (app / PostgreSQL)': '', 'events per CPU s': `${figures.ratioPerCpuSecond}x` },
      { path: 'machine load average (1, 5, 15 min) at the end', events: '', seconds: '', 'events/s': figures.loadAverage.join(' / '), 'CPU s (app / PostgreSQL)': '', 'events per CPU s': '' },
    ];
  } finally {
    await deleteTopics(brokers, [topic, dlqTopic]).catch(() => undefined);
    await serviceDb.drop();
    await naiveDb.drop();
  }
}
