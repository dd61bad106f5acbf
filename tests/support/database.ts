import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { maintenanceUrl } from '../../scripts/infra/postgres';
import { databaseUrlFor, TEMPLATE_DATABASE, TEST_DATABASE_PREFIX, testServerUrl } from './env';

export interface TestDatabase {
  name: string;
  url: string;
  /** Drops the database, ending whatever connections are still open to it. */
  drop(): Promise<void>;
}

// CREATE DATABASE … TEMPLATE refuses while anyone is connected to the template
// (another run preparing it): a short wait, then again.
const TEMPLATE_BUSY = '55006';
const CLONE_ATTEMPTS = 40;

export async function withMaintenanceClient<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: maintenanceUrl(testServerUrl()) });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export function dropDatabase(client: Client, name: string): Promise<unknown> {
  // WITH (FORCE) terminates remaining sessions (a test that forgot to disconnect).
  return client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
}

/** A fresh, migrated database of its own for one test file, cloned from the template in well under a second. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `${TEST_DATABASE_PREFIX}${process.pid}_${randomBytes(4).toString('hex')}`;
  await withMaintenanceClient(async (client) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(
          `CREATE DATABASE ${client.escapeIdentifier(name)} TEMPLATE ${client.escapeIdentifier(TEMPLATE_DATABASE)}`,
        );
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== TEMPLATE_BUSY || attempt >= CLONE_ATTEMPTS) throw error;
        await sleep(100 + Math.random() * 200);
      }
    }
  });
  return {
    name,
    url: databaseUrlFor(name),
    drop: () => withMaintenanceClient((client) => dropDatabase(client, name)).then(() => undefined),
  };
}
