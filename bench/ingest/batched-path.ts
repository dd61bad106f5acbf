import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../src/config/config';
import { createApp } from '../../src/main';
import { MetricsService } from '../../src/metrics/metrics.service';
import { freePort } from '../../scripts/infra/net';
import { CountingSink } from '../support/counting-sink';
import { Measurement, Meter } from './meter';

export interface PathOptions {
  brokers: string[];
  databaseUrl: string;
  topic: string;
  groupId: string;
  /** Stop once this many events are stored. */
  count: number;
  meter: Meter;
}

export interface PathResult extends Measurement {
  stored: number;
}

const POLL_MS = 10;

/**
 * The service as deployed: the whole app with its real consumer (eachBatch,
 * one upsert statement per chunk). The meter starts once the consumer has
 * joined its group (listen() resolves after that) and stops when the service
 * has counted `count` stored events.
 */
export async function measureBatchedPath(options: PathOptions & { dlqTopic: string }): Promise<PathResult> {
  const sink = await CountingSink.start();
  const port = await freePort();
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: String(port),
    DATABASE_URL: options.databaseUrl,
    KAFKA_BROKERS: options.brokers.join(','),
    KAFKA_CLIENT_ID: 'dispatch-bench',
    KAFKA_GROUP_ID: options.groupId,
    KAFKA_TOPIC_ARTICLES: options.topic,
    KAFKA_TOPIC_DLQ: options.dlqTopic,
    SMTP_URL: sink.url,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
  });
  const app = await createApp(config);
  try {
    await app.listen(port, '127.0.0.1');
    await options.meter.start();
    const metrics = app.get(MetricsService);
    const stored = async () => (await metrics.eventsStored.get()).values[0]?.value ?? 0;
    while ((await stored()) < options.count) await sleep(POLL_MS);
    return { ...(await options.meter.stop()), stored: await stored() };
  } finally {
    await app.close();
    await sink.stop();
  }
}
