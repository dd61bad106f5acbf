import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { databaseUrl } from '../../scripts/database-url';
import { kafkaBrokersFromEnv } from '../../scripts/infra/kafka';
import { REPO_ROOT } from '../../scripts/infra/paths';

/**
 * Where the integration tests find their infrastructure: the same variables
 * and defaults as the service (CONTRACT.md), read here so that every worker
 * resolves them alike without relying on the global set-up's process.
 */

const MIGRATIONS_DIR = join(REPO_ROOT, 'prisma', 'migrations');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]))
    .sort();
}

/** Changes whenever a migration is added, removed or edited. */
export function migrationsHash(): string {
  const hash = createHash('sha256');
  for (const file of filesUnder(MIGRATIONS_DIR)) {
    hash.update(relative(MIGRATIONS_DIR, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

/**
 * Migrated once per set of migrations; every test database is cloned from it.
 * Named after the migrations, so checkouts with different migrations (two
 * branches tested side by side on one server) never rebuild each other's template.
 */
export const TEMPLATE_DATABASE = `dispatch_test_template_${migrationsHash().slice(0, 16)}`;

/** Test databases are named dispatch_test_<pid of the worker>_<random> so leftovers can be told apart. */
export const TEST_DATABASE_PREFIX = 'dispatch_test_';

/** The PostgreSQL server the tests use: DATABASE_URL's server (its database name is not used). */
export function testServerUrl(): string {
  return databaseUrl();
}

export function databaseUrlFor(name: string): string {
  const url = new URL(testServerUrl());
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

export function kafkaBrokers(): string[] {
  return kafkaBrokersFromEnv();
}
