import { existsSync, readdirSync, rmSync, writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { INFRA_DIR } from './paths';
import { LOOPBACK_HOSTS } from './net';
import { run } from './tools';

const PG_DIR = join(INFRA_DIR, 'postgres');
// Present only when infra:up had to start the cluster, so infra:down stops
// PostgreSQL only in that case: a server that was already running is not ours.
const STARTED_MARKER = join(PG_DIR, 'started-clusters');

/** The same server as `url`, but the `postgres` maintenance database, which always exists. */
export function maintenanceUrl(url: string): string {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  return admin.toString();
}

/** Where the URL points, without its password, for messages. */
export function describeDatabaseUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname || 'localhost'}:${parsed.port || 5432}${parsed.pathname}`;
}

async function reachable(url: string): Promise<string | undefined> {
  const client = new Client({ connectionString: maintenanceUrl(url), connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function isLocal(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return LOOPBACK_HOSTS.has(host);
}

function installedClusters(): string[] {
  if (!existsSync('/etc/postgresql')) return [];
  return readdirSync('/etc/postgresql').filter((version) => existsSync(join('/etc/postgresql', version, 'main')));
}

/**
 * Makes sure the PostgreSQL server behind `url` answers. A local Debian
 * cluster that is down is started once with pg_ctlcluster (there is no systemd
 * here); anything else is reported, not fixed.
 */
export async function ensurePostgres(url: string, timeoutMs = 30_000): Promise<{ started: boolean }> {
  const firstError = await reachable(url);
  if (firstError === undefined) return { started: false };
  const versions = isLocal(url) ? installedClusters() : [];
  if (versions.length === 0) {
    throw new Error(`PostgreSQL at ${describeDatabaseUrl(url)} is not reachable: ${firstError}`);
  }
  const started: string[] = [];
  for (const version of versions) {
    const result = await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start']);
    if (result.status === 0) started.push(version);
  }
  if (started.length > 0) {
    mkdirSync(PG_DIR, { recursive: true });
    writeFileSync(STARTED_MARKER, `${started.join('\n')}\n`);
  }
  const deadline = Date.now() + timeoutMs;
  let lastError = firstError;
  while (Date.now() < deadline) {
    const error = await reachable(url);
    if (error === undefined) return { started: started.length > 0 };
    lastError = error;
    await sleep(500);
  }
  throw new Error(
    `PostgreSQL at ${describeDatabaseUrl(url)} is not reachable (tried pg_ctlcluster ${versions.join(', ')} main start): ${lastError}`,
  );
}

/** Stops the clusters ensurePostgres started, and nothing else. Returns their versions. */
export async function stopPostgresIfStartedByUs(): Promise<string[]> {
  if (!existsSync(STARTED_MARKER)) return [];
  const versions = readFileSync(STARTED_MARKER, 'utf8').split('\n').filter(Boolean);
  for (const version of versions) {
    await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'stop']);
  }
  rmSync(STARTED_MARKER, { force: true });
  return versions;
}
