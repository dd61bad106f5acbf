import { readFileSync } from 'node:fs';
import type { Message } from 'kafkajs';
import { Client } from 'pg';
import type { PrismaClient } from '../../src/generated/prisma/client';
import { EDITOR_KEY, eventually } from '../support/app';
import { TestDatabase, withMaintenanceClient } from '../support/database';
import { produce } from '../support/kafka';
import { committedTotal, endTotal } from '../support/kafka-offsets';
import { anArticleEvent, insertReaders, Reader, ReaderSpec } from '../support/builders';
import { assertCleanLedger, checkLedger, deliveryRows, formatLedger, Ledger, LedgerReport } from '../support/ledger';
import type { SmtpSink } from '../support/smtp-sink';

export { committedTotal, endTotal } from '../support/kafka-offsets';
export { allowConnections, refuseConnections } from '../support/database-availability';
export { emailsTo, formatLedger, Ledger } from '../support/ledger';

/** Builders and probes shared by the fault and load tests. */

export const editor = { Authorization: `Bearer ${EDITOR_KEY}` };

/** Keeps the digest cron out of tests that drive runs themselves (it fires on 1 January only). */
export const NO_TICKS = '0 0 1 1 *';

/**
 * What the fault tests run the service with: a short lease so an interrupted send
 * turns uncertain within seconds, and a short Kafka session so a killed member
 * leaves the group quickly (the broker's minimum is 6 s).
 */
export const FAST_FAILOVER = {
  DELIVERY_LEASE_SECONDS: '5',
  KAFKA_SESSION_TIMEOUT_MS: '6000',
  DIGEST_TICK_CRON: NO_TICKS,
};

export { anArticleEvent } from '../support/builders';
export type { Reader, ReaderSpec } from '../support/builders';

/** Readers written straight to the database; confirmed `news` readers without a digest schedule unless told otherwise. */
export function someReaders(prisma: PrismaClient, count: number, spec: (index: number) => ReaderSpec = () => ({})): Promise<Reader[]> {
  return insertReaders(prisma, count, spec, { label: 'reader', tags: ['news'], confirmedAt: () => new Date(0), nextDigestAt: () => null });
}

/** One of each kind of reader who must never get mail, all tagged `tag`; forbidden in `ledger` when given. */
export async function ineligibleReaders(prisma: PrismaClient, tag: string, ledger?: Ledger): Promise<Reader[]> {
  const kinds: ReaderSpec[] = [{ status: 'pending' }, { status: 'unsubscribed' }, { suppressed: true }];
  const readers = await someReaders(prisma, kinds.length, (i) => ({ ...kinds[i], tags: [tag] }));
  ledger?.forbid([readers[0]], 'unconfirmed').forbid([readers[1]], 'unsubscribed').forbid([readers[2]], 'suppressed');
  return readers;
}

export function articleMessage(event: Record<string, unknown>): Message {
  return { key: String(event.id), value: JSON.stringify(event) };
}

/** Publishes events in requests the broker accepts (its default max request size is 1 MB). */
export async function publishEvents(brokers: string[], topic: string, events: readonly Record<string, unknown>[]): Promise<void> {
  for (let start = 0; start < events.length; start += 2000) {
    await produce(brokers, topic, events.slice(start, start + 2000).map(articleMessage));
  }
}

/** `count` distinct valid events `${prefix}-0…`, one minute apart. */
export function manyArticleEvents(prefix: string, count: number): Record<string, unknown>[] {
  const base = Date.parse('2026-11-20T00:00:00Z');
  return Array.from({ length: count }, (_, i) =>
    anArticleEvent({ id: `${prefix}-${i}`, tags: ['news', `t${i % 7}`], publishedAt: new Date(base + i * 60_000).toISOString() }),
  );
}

/** Waits until the group has committed everything in the topic. */
export async function caughtUp(brokers: string[], group: string, topic: string, timeoutMs = 120_000): Promise<number> {
  const end = await endTotal(brokers, topic);
  return eventually(async () => ((await committedTotal(brokers, group, topic)) === end ? end : undefined), timeoutMs, 250);
}

/** Waits until no outbox row is queued, sending or uncertain. */
export async function outboxSettled(prisma: PrismaClient, timeoutMs = 120_000): Promise<void> {
  await eventually(async () => {
    const open = await prisma.delivery.count({ where: { status: { in: ['queued', 'sending', 'uncertain'] } } });
    return open === 0 ? true : undefined;
  }, timeoutMs, 200);
}

/** SMTP_POOL_SIZE when the config schema's default applies. */
const DEFAULT_SMTP_POOL_SIZE = 8;

/** The SMTP connections a service process sends over: the ledger's bound on uncertain duplicates. */
export function smtpConnections(service: { env: Readonly<Record<string, string>> }): number {
  return Number(service.env.SMTP_POOL_SIZE ?? DEFAULT_SMTP_POOL_SIZE);
}

/**
 * RELIABILITY.md's ledger check with its pass rule over everything the service's
 * sink ever received: every email the ledger expects arrived, nothing went to an
 * address it forbids or never made, and a Message-ID arrived twice only for a
 * counted uncertain row, no more such rows than the service's SMTP connections.
 * Throws the whole report otherwise.
 */
export async function expectCleanLedger(service: LedgerSubject, ledger: Ledger): Promise<LedgerReport> {
  return assertCleanLedger(await ledgerOf(service, ledger));
}

type LedgerSubject = { prisma: PrismaClient; smtp: SmtpSink; env: Readonly<Record<string, string>> };

/** The ledger report of a service process, without judging it. */
export async function ledgerOf(service: LedgerSubject, ledger: Ledger): Promise<LedgerReport> {
  const rows = await deliveryRows(service.prisma);
  return checkLedger({ ...ledger.expectation(), received: service.smtp.messages, rows, connectionsInUse: smtpConnections(service) });
}

/** Fails with every broken promise a fault test found and its ledger report, so a red test says what went wrong. */
export function expectKeptPromises(broken: readonly string[], report: LedgerReport): void {
  if (broken.length > 0 || !report.clean) throw new Error([...broken.map((promise) => `- ${promise}`), formatLedger(report)].join('\n'));
}

/** How many times the sink received each Message-ID. */
export function receivedCounts(sink: SmtpSink): Map<string, number> {
  const counts = new Map<string, number>();
  for (const mail of sink.messages) counts.set(mail.messageId ?? '', (counts.get(mail.messageId ?? '') ?? 0) + 1);
  return counts;
}

/** A sample from the service's /metrics, summed over labels (0 when absent). */
export async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/** Runs SQL on the test database as the superuser (triggers, gates): fault injection from outside the code. */
export async function onDatabase<T>(db: TestDatabase, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: db.url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Ends the sessions of the database that are inside pg_sleep (a gate the test set), as a dying client's would end. */
export function endSleepingSessions(db: TestDatabase): Promise<number> {
  return withMaintenanceClient(async (client) => {
    const { rowCount } = await client.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND wait_event = 'PgSleep' AND pid <> pg_backend_pid()`,
      [db.name],
    );
    return rowCount ?? 0;
  });
}

/** Sessions of the database currently inside pg_sleep. */
export function sleepingSessions(db: TestDatabase): Promise<number> {
  return withMaintenanceClient(async (client) => {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event = 'PgSleep'`,
      [db.name],
    );
    return rows[0].n;
  });
}

/**
 * Lets `allowed` INSERT statements into "Delivery" through, then makes every later
 * one sleep inside its transaction: a digest run or alert fan-out frozen halfway,
 * for a test to SIGKILL the service right there. releaseOutboxInserts() undoes it.
 */
export async function holdOutboxInsertsAfter(db: TestDatabase, allowed: number): Promise<void> {
  await onDatabase(db, async (client) => {
    await client.query('CREATE SEQUENCE IF NOT EXISTS outbox_insert_statements');
    await client.query(`SELECT setval('outbox_insert_statements', 1, false)`);
    await client.query(`
      CREATE OR REPLACE FUNCTION hold_outbox_inserts() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF nextval('outbox_insert_statements') > ${Number(allowed)} THEN PERFORM pg_sleep(600); END IF;
        RETURN NULL;
      END $$`);
    await client.query('CREATE TRIGGER hold_outbox_inserts AFTER INSERT ON "Delivery" FOR EACH STATEMENT EXECUTE FUNCTION hold_outbox_inserts()');
  });
}

/** Call with the service stopped: the held sessions go first, or dropping the trigger would wait for their locks. */
export async function releaseOutboxInserts(db: TestDatabase): Promise<void> {
  await endSleepingSessions(db);
  await onDatabase(db, (client) => client.query('DROP TRIGGER IF EXISTS hold_outbox_inserts ON "Delivery"'));
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Resident memory of a process, from /proc. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}
