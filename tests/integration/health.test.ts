import { eventually, startTestApp, TestApp } from '../support/app';
import { ThrowawayKafkaBroker } from '../support/kafka-broker';
import { allowConnections, refuseConnections } from '../support/database-availability';
import { execFileSync } from 'node:child_process';

/**
 * Client-side ports of every TCP connection to `port` the machine knows of, open or
 * recently closed (TIME-WAIT lingers a minute): the broker is this test's own, so
 * each is a connection someone here opened to it.
 */
function connectionsTo(port: number): Set<string> {
  const lines = execFileSync('ss', ['-Htan', 'state', 'all', `( dport = :${port} or sport = :${port} )`], { encoding: 'utf8' }).split('\n');
  const ports = new Set<string>();
  for (const line of lines) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 5) continue;
    const [local, peer] = [fields[3], fields[4]];
    const localPort = local.slice(local.lastIndexOf(':') + 1);
    const peerPort = peer.slice(peer.lastIndexOf(':') + 1);
    if (localPort === String(port) && peerPort !== '*') ports.add(peerPort);
    else if (peerPort === String(port)) ports.add(localPort);
  }
  return ports;
}

jest.setTimeout(300_000);

// CONTRACT.md: GET /health is 200 when database, Kafka and SMTP are reachable, 503 otherwise.
// The broker is a throwaway one so that stopping it disturbs no other test.

interface HealthBody {
  status: string;
  checkedAt: string | null;
  checks: Record<string, { status: string; error?: string; lag?: Record<string, number> }>;
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

  it('is 200 with every check up when everything is reachable (once the first round of checks is in)', async () => {
    const { status, body } = await healthWhen(200, 60_000);

    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.checks).toMatchObject({ database: { status: 'up' }, kafka: { status: 'up' }, smtp: { status: 'up' }, consumer: { status: 'up', lag: { '0': 0 } } });
  });

  it('answers /health/live with 200 and no outside check', async () => {
    const response = await fetch(`${app.url}/health/live`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('S11: answers many concurrent anonymous calls from its cached checks, opening no SMTP or Kafka connection for them', async () => {
    await healthWhen(200, 60_000);
    const brokerPort = Number(broker.brokers[0].split(':')[1]);
    const kafkaBefore = connectionsTo(brokerPort);
    const smtpBefore = app.smtp.connectionsAccepted;

    const answers = await Promise.all(Array.from({ length: 200 }, () => health()));

    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
    // A background round may fall inside the burst: it opens at most one of each.
    expect(app.smtp.connectionsAccepted - smtpBefore).toBeLessThanOrEqual(1);
    const opened = [...connectionsTo(brokerPort)].filter((port) => !kafkaBefore.has(port));
    expect(opened.length).toBeLessThanOrEqual(1);
    expect(new Set(answers.map((answer) => answer.body.checkedAt)).size).toBeLessThanOrEqual(2);
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
      // The outbox may say it paused first (it meets the refusal on its own): wait for the database check itself.
      const down = await eventually(async () => {
        const found = await health();
        return found.status === 503 && found.body.checks.database.status === 'down' ? found : undefined;
      }, 60_000, 500);
      expect(down.body.checks.kafka.status).toBe('up');
    } finally {
      await allowConnections(app.db);
    }

    await healthWhen(200, 60_000);
  });
});
