import { Client } from 'pg';
import { eventually } from '../support/app';
import { withMaintenanceClient } from '../support/database';
import { ServiceProcess } from '../support/service-process';
import { anArticleEvent, FAST_FAILOVER, metric, onDatabase, publishEvents } from './fixtures';

jest.setTimeout(300_000);

// RELIABILITY.md F16: a database lock or a query that never returns. Before, a row
// lock held for 100 s stopped ingestion of unrelated articles while /health stayed
// 200, dispatch_consumer_lag stayed 0 and nothing was logged. Now the session
// timeouts end the statement, the consumer waits it out without parking anything,
// /health turns red once the partition stops moving for longer than a batch may
// take, and everything is applied once the database lets go.

const LOCK_TIMEOUT_MS = 1_000;
const STATEMENT_TIMEOUT_MS = 3_000;
const BATCH_DEADLINE_MS = 6_000;

interface HealthBody {
  status: string;
  checks: Record<string, { status: string; error?: string }>;
}

describe('F16: a database that holds a lock or never answers', () => {
  let service: ServiceProcess;

  beforeAll(async () => {
    service = await ServiceProcess.start({
      env: {
        ...FAST_FAILOVER,
        KAFKA_TOPIC_PARTITIONS: '1',
        DB_LOCK_TIMEOUT_MS: String(LOCK_TIMEOUT_MS),
        DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
        CONSUMER_BATCH_DEADLINE_MS: String(BATCH_DEADLINE_MS),
      },
    });
  });

  afterAll(async () => {
    await service?.close();
  });

  const brokers = () => service.env.KAFKA_BROKERS.split(',');
  const publish = (events: Record<string, unknown>[]) => publishEvents(brokers(), service.topics.articles, events);
  const stored = (id: string) => service.prisma.article.findUnique({ where: { id } });
  const health = async (): Promise<{ status: number; body: HealthBody }> => {
    const response = await fetch(`${service.url}/health`);
    return { status: response.status, body: (await response.json()) as HealthBody };
  };

  /** Sessions of this service's database that have waited on a lock, or slept, for longer than `ms`. */
  const stuckSessions = (ms: number) =>
    withMaintenanceClient(async (client) => {
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE datname = $1 AND pid <> pg_backend_pid() AND state = 'active'
           AND (wait_event_type = 'Lock' OR wait_event = 'PgSleep') AND now() - query_start > make_interval(secs => $2::float8 / 1000)
           AND application_name <> 'dispatch-test-holder'`,
        [service.db.name, ms],
      );
      return rows[0].n;
    });

  async function expectRedThenGreen(logged: RegExp, release: () => Promise<void>, ids: string[]): Promise<void> {
    const red = await eventually(async () => {
      const found = await health();
      return found.status === 503 && found.body.checks.consumer.status === 'down' ? found : undefined;
    }, 90_000, 500);
    expect(red.body.checks.consumer.error).toMatch(/partition 0: \d+ event\(s\) waiting, no progress/);
    expect(red.body.checks.database.status).toBe('up');
    expect(await metric(service.url, 'dispatch_consumer_lag')).toBeGreaterThan(0);
    // The timeouts end every statement that waits: nothing of the service's hangs for longer than they allow.
    expect(await stuckSessions(STATEMENT_TIMEOUT_MS + 2_000)).toBe(0);
    expect(service.logs().some((line) => /unavailable; retrying/.test(line) && logged.test(line))).toBe(true);

    await release();
    for (const id of ids) await eventually(async () => (await stored(id)) ?? undefined, 60_000, 250);
    await eventually(async () => ((await health()).status === 200 ? true : undefined), 60_000, 500);
    expect(await service.prisma.article.findUniqueOrThrow({ where: { id: ids[0] } })).toMatchObject({ title: 'Updated while locked' });
    expect(await metric(service.url, 'dispatch_events_dlq_total')).toBe(0);
  }

  it('ends a statement waiting on a row lock (lock_timeout), turns health red, and applies everything once the lock goes', async () => {
    await publish([anArticleEvent({ id: 'f16-locked', title: 'First' })]);
    await eventually(async () => (await stored('f16-locked')) ?? undefined, 60_000, 250);
    await eventually(async () => ((await health()).status === 200 ? true : undefined), 60_000, 500);

    const holder = new Client({ connectionString: service.db.url, application_name: 'dispatch-test-holder' });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM "Article" WHERE "id" = 'f16-locked' FOR UPDATE`);
      await publish([anArticleEvent({ id: 'f16-locked', title: 'Updated while locked' }), anArticleEvent({ id: 'f16-unrelated', title: 'Unrelated' })]);

      await expectRedThenGreen(/55P03 canceling statement due to lock timeout/, async () => {
        await holder.query('ROLLBACK');
      }, ['f16-locked', 'f16-unrelated']);
    } finally {
      await holder.end();
    }
  });

  it('ends a statement that never returns (statement_timeout), turns health red, and applies everything once the database answers', async () => {
    await publish([anArticleEvent({ id: 'f16-slow', title: 'First' })]);
    await eventually(async () => (await stored('f16-slow')) ?? undefined, 60_000, 250);
    await eventually(async () => ((await health()).status === 200 ? true : undefined), 60_000, 500);

    await onDatabase(service.db, async (client) => {
      await client.query(`CREATE FUNCTION f16_never_returns() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(3600); RETURN NEW; END $$`);
      await client.query(`CREATE TRIGGER f16_never_returns BEFORE UPDATE ON "Article" FOR EACH ROW EXECUTE FUNCTION f16_never_returns()`);
    });
    await publish([anArticleEvent({ id: 'f16-slow', title: 'Updated while locked' }), anArticleEvent({ id: 'f16-slow-unrelated', title: 'Unrelated' })]);

    await expectRedThenGreen(/57014 canceling statement due to statement timeout/, async () => {
      await onDatabase(service.db, async (client) => {
        await client.query('DROP TRIGGER f16_never_returns ON "Article"');
      });
    }, ['f16-slow', 'f16-slow-unrelated']);
  });
});
