import { deployMigrations } from '../../scripts/db-migrate';
import { ensureKafka } from '../../scripts/infra/kafka';
import { LOOPBACK_HOSTS } from '../../scripts/infra/net';
import { ensurePostgres } from '../../scripts/infra/postgres';
import { isAlive } from '../../scripts/infra/processes';
import { dropDatabase, withMaintenanceClient } from './database';
import { databaseUrlFor, kafkaBrokers, migrationsHash, TEMPLATE_DATABASE, TEST_DATABASE_PREFIX, testServerUrl } from './env';
import { reapThrowawayBrokers } from './kafka-broker';

/**
 * (Re)creates the template only when the migrations changed since it was
 * made: the hash lives in the template's COMMENT, written last, so a template
 * whose migration was interrupted is rebuilt next time. An advisory lock keeps
 * two test runs started together from rebuilding it at the same time.
 */
async function prepareTemplate(): Promise<void> {
  const wanted = `migrations:${migrationsHash()}`;
  await withMaintenanceClient(async (client) => {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [TEMPLATE_DATABASE]);
    try {
      const found = await client.query<{ comment: string | null }>(
        "SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1",
        [TEMPLATE_DATABASE],
      );
      if (found.rows[0]?.comment === wanted) return;
      await dropDatabase(client, TEMPLATE_DATABASE);
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(TEMPLATE_DATABASE)}`);
      deployMigrations(databaseUrlFor(TEMPLATE_DATABASE));
      await client.query(`COMMENT ON DATABASE ${client.escapeIdentifier(TEMPLATE_DATABASE)} IS ${client.escapeLiteral(wanted)}`);
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [TEMPLATE_DATABASE]);
    }
  });
}

/**
 * Test databases whose worker process is gone (a crashed or interrupted run)
 * are dropped. Only on a local server: a pid means nothing on another machine.
 */
async function dropAbandonedTestDatabases(): Promise<void> {
  if (!LOOPBACK_HOSTS.has(new URL(testServerUrl()).hostname)) return;
  await withMaintenanceClient(async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE starts_with(datname, $1) AND datname <> $2',
      [TEST_DATABASE_PREFIX, TEMPLATE_DATABASE],
    );
    for (const { datname } of rows) {
      const owner = Number(datname.slice(TEST_DATABASE_PREFIX.length).split('_')[0]);
      if (Number.isInteger(owner) && owner > 0 && !isAlive(owner)) await dropDatabase(client, datname);
    }
  });
}

async function preparePostgres(): Promise<void> {
  await ensurePostgres(testServerUrl());
  await dropAbandonedTestDatabases();
  await prepareTemplate();
}

export default async function globalSetup(): Promise<void> {
  await Promise.all([ensureKafka(kafkaBrokers()), preparePostgres(), reapThrowawayBrokers()]);
}
