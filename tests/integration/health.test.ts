import { eventually, startTestApp, TestApp } from '../support/app';
import { ThrowawayKafkaBroker } from '../support/kafka-broker';
import { allowConnections, refuseConnections } from '../support/database-availability';

jest.setTimeout(300_000);

// CONTRACT.md: GET /health is 200 when database, Kafka and SMTP are reachable, 503 otherwise.
// The broker is a throwaway one so that stopping it disturbs no other test.

interface HealthBody {
  status: string;
  checks: Record<string, { status: string; error?: string }>;
}

describe('GET /health', () => {
  let broker: ThrowawayKafkaBroker;
  let app: TestApp;

  beforeAll(async () => {
    broker = await ThrowawayKafkaBroker.start();
    app = await startTestApp({ env: { KAFKA_BROKERS: broker.brokers.join(','), KAFKA_TOPIC_PARTITIONS: '1' } });
  }, 240_000);

  afterAll(async () => {
    if (app) await allowConnections(app.db);
    await app?.close();
    await broker?.dispose();
  }, 120_000);

  const health = async (): Promise<{ status: number; body: HealthBody }> => {
    const response = await fetch(`${app.url}/health`);
    return { status: response.status, body: (await response.json()) as HealthBody };
  };
  const healthWhen = (status: number, timeoutMs: number) =>
    eventually(async () => {
      const found = await health();
      return found.status === status ? found : undefined;
    }, timeoutMs, 500);

  it('is 200 with every check up when everything is reachable', async () => {
    const { status, body } = await health();

    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.checks).toMatchObject({ database: { status: 'up' }, kafka: { status: 'up' }, smtp: { status: 'up' } });
  });

  it('is 503 naming Kafka while the broker is down, and 200 again once it is back', async () => {
    await broker.stop();
    try {
      const down = await healthWhen(503, 60_000);
      expect(down.body.status).toBe('error');
      expect(down.body.checks.kafka.status).toBe('down');
      expect(down.body.checks.database.status).toBe('up');
    } finally {
      await broker.start();
    }

    const up = await healthWhen(200, 120_000);
    expect(up.body.checks.kafka.status).toBe('up');
  });

  it('is 503 naming the database while it refuses connections, and 200 again once it is back', async () => {
    await refuseConnections(app.db);
    try {
      const down = await healthWhen(503, 60_000);
      expect(down.body.checks.database.status).toBe('down');
      expect(down.body.checks.kafka.status).toBe('up');
    } finally {
      await allowConnections(app.db);
    }

    await healthWhen(200, 60_000);
  });
});
