import { spawnSync } from 'node:child_process';
import { Client } from 'pg';
import { databaseUrl } from './database-url';

/** Creates the database named by DATABASE_URL when it is missing (CONTRACT: db:migrate creates it). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) throw new Error('DATABASE_URL names no database');
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      // Identifiers cannot be bound as parameters; quote it the PostgreSQL way.
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    }
  } finally {
    await client.end();
  }
}

/** Applies pending migrations with Prisma's offline (WebAssembly) schema engine. */
export function deployMigrations(url: string): void {
  const result = spawnSync('npx', ['prisma', 'migrate', 'deploy'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DATABASE_URL: url },
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(`prisma migrate deploy failed:\n${result.stdout}\n${result.stderr}`);
  }
}

export async function migrate(url = databaseUrl()): Promise<void> {
  await ensureDatabase(url);
  deployMigrations(url);
}

if (require.main === module) {
  migrate()
    .then(() => console.log('database migrated'))
    .catch((err: Error) => {
      console.error(err.message);
      process.exit(1);
    });
}
