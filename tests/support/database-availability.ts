import { TestDatabase, withMaintenanceClient } from './database';

/**
 * Makes one test database unreachable without touching the shared PostgreSQL
 * server: new connections are refused and every open session is ended, which
 * is what the app sees when its database goes down.
 */
export async function refuseConnections(db: TestDatabase): Promise<void> {
  await withMaintenanceClient(async (client) => {
    await client.query(`ALTER DATABASE ${client.escapeIdentifier(db.name)} ALLOW_CONNECTIONS false`);
    await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [db.name]);
  });
}

export async function allowConnections(db: TestDatabase): Promise<void> {
  await withMaintenanceClient((client) => client.query(`ALTER DATABASE ${client.escapeIdentifier(db.name)} ALLOW_CONNECTIONS true`));
}

/** Sessions open on the database, from anyone. */
export function openSessions(db: TestDatabase): Promise<number> {
  return withMaintenanceClient(async (client) => {
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [db.name]);
    return rows[0].n;
  });
}
