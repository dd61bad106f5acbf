import { Client } from 'pg';
import { databaseUrl } from '../../scripts/database-url';
import { deployMigrations } from '../../scripts/db-migrate';
import { maintenanceUrl } from '../../scripts/infra/postgres';

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

async function withMaintenance<T>(serverUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: maintenanceUrl(serverUrl) });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated database on DATABASE_URL's server, replacing a leftover of the same name. */
export async function createBenchDatabase(name: string, serverUrl = databaseUrl()): Promise<BenchDatabase> {
  const drop = () => withMaintenance(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`)).then(() => undefined);
  await drop();
  await withMaintenance(serverUrl, (client) => client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`));
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  deployMigrations(url.toString());
  return { name, url: url.toString(), drop };
}
