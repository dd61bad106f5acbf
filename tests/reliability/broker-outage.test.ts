import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from '../support/app';
import { ThrowawayKafkaBroker } from '../support/kafka-broker';
import { ServiceProcess } from '../support/service-process';
import { caughtUp, endTotal, FAST_FAILOVER, manyArticleEvents, publishEvents } from './fixtures';

jest.setTimeout(420_000);

// RELIABILITY.md F2 (issue 8: "broker killed and restarted mid-ingest"): the broker
// is SIGKILLed while events are still being consumed
// and stays down until the consumer has run out of retries and crashed — the
// path on which kafkajs either restarts the consumer or leaves it idle for good —
// then comes back. The same process must recover and apply everything, and
// /health must say what is going on throughout.
//
// The outage lasts until that first crash (about 40 s of kafkajs retries here, at
// least MIN_OUTAGE_MS) rather than a fixed minute: a longer outage only repeats
// the same crash-and-restart cycle, a shorter one never reaches it.

const MIN_OUTAGE_MS = 20_000;
const MAX_OUTAGE_MS = 120_000;

async function health(service: ServiceProcess): Promise<{ status: number; body: { checks?: Record<string, { status: string }> } }> {
  const res = await fetch(`${service.url}/health`);
  return { status: res.status, body: (await res.json()) as { checks?: Record<string, { status: string }> } };
}

describe('The Kafka broker killed for a long while, then restarted', () => {
  let broker: ThrowawayKafkaBroker;
  let service: ServiceProcess;

  beforeAll(async () => {
    broker = await ThrowawayKafkaBroker.start();
    service = await ServiceProcess.start({
      env: { ...FAST_FAILOVER, KAFKA_BROKERS: broker.brokers.join(','), KAFKA_TOPIC_PARTITIONS: '2', LOG_LEVEL: 'error' },
    });
  }, 300_000);

  afterAll(async () => {
    await service?.close();
    await broker?.dispose();
  }, 120_000);

  it('recovers in the same process, applies every event, and /health reports the outage and the recovery', async () => {
    const { articles, group, dlq } = service.topics;
    const pid = service.pid;
    const before = manyArticleEvents('f2-before', 20_000);
    await publishEvents(broker.brokers, articles, before);
    await eventually(async () => ((await service.prisma.article.count()) > 0 ? true : undefined), 60_000, 50);

    // Killed while the stream is still being consumed.
    const stopped = Date.now();
    await broker.kill9();
    const down = await eventually(async () => {
      const report = await health(service);
      return report.status === 503 ? report : undefined;
    }, 60_000, 500);
    expect(down.body.checks?.kafka.status).toBe('down');
    // The path this test is for: the consumer runs out of retries and crashes. An outage
    // that ends before that proves nothing about it, so it fails here rather than pass.
    await service.waitForLog(/consumer crashed|consumer stopped; a new one takes over/, MAX_OUTAGE_MS);
    await sleep(Math.max(0, MIN_OUTAGE_MS - (Date.now() - stopped)));
    const outageMs = Date.now() - stopped;
    const crashes = service.logs().filter((line) => /consumer crashed|consumer stopped; a new one takes over/.test(line)).length;
    expect(crashes).toBeGreaterThanOrEqual(1);
    await broker.start();

    await eventually(async () => ((await health(service)).status === 200 ? true : undefined), 180_000, 1000);
    const after = manyArticleEvents('f2-after', 500);
    await publishEvents(broker.brokers, articles, after);
    await caughtUp(broker.brokers, group, articles, 180_000);

    expect(service.pid).toBe(pid);
    expect(await service.prisma.article.count()).toBe(before.length + after.length);
    expect(await endTotal(broker.brokers, dlq)).toBe(0);
    expect((await health(service)).body.checks).toMatchObject({ kafka: { status: 'up' }, consumer: { status: 'up' } });
    process.stdout.write(`F2: broker down ${outageMs} ms, consumer crashed ${crashes} time(s) and recovered in the same process\n`);
  });
});
