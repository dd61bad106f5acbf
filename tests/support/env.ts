import { databaseUrl } from '../../scripts/database-url';
import { kafkaBrokersFromEnv } from '../../scripts/infra/kafka';

/**
 * Where the integration tests find their infrastructure: the same variables
 * and defaults as the service (CONTRACT.md), read here so that every worker
 * resolves them alike without relying on the global set-up's process.
 */

/** Migrated once per migrations change; every test database is cloned from it. */
export const TEMPLATE_DATABASE = 'dispatch_test_template';

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
