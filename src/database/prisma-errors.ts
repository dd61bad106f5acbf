import { Prisma } from '../generated/prisma/client';

/** A unique-key collision: under at-least-once delivery this means "already done". */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

/**
 * How a database failure should be handled:
 * - unavailable: the database is down or restarting — wait and retry, never give up on the data;
 * - conflict: the database asked us to retry (deadlock, serialisation) — a few retries, then park;
 * - permanent: retrying cannot help.
 */
export type DatabaseFailure = 'unavailable' | 'conflict' | 'permanent';

const CONFLICT_PG_CODES = new Set(['40001', '40P01']);
// 55P03 (lock_timeout) and 57014 (statement_timeout): a lock held or a database too slow
// is the database's state, not the statement's fault: wait it out, never park the data.
const UNAVAILABLE_PG_CODES = new Set(['55P03', '57014', '55000', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '53300', '3D000']);
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);
const UNAVAILABLE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
const UNAVAILABLE_MESSAGE =
  /Connection terminated|terminating connection|connection refused|ECONNREFUSED|ECONNRESET|Can't reach database|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly|the database system is (starting up|shutting down)|not currently accepting connections/i;

export function classifyDatabaseError(error: unknown): DatabaseFailure {
  if (error instanceof Prisma.PrismaClientInitializationError) return 'unavailable';
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const record = current as { code?: unknown; message?: unknown; cause?: unknown; meta?: unknown; originalCode?: unknown };
    const codes = [record.code, record.originalCode].filter((c): c is string => typeof c === 'string');
    if (codes.some((c) => CONFLICT_PG_CODES.has(c)) || codes.includes('P2034')) return 'conflict';
    if (codes.some((c) => UNAVAILABLE_PG_CODES.has(c) || UNAVAILABLE_NODE_CODES.has(c) || UNAVAILABLE_PRISMA_CODES.has(c))) {
      return 'unavailable';
    }
    const message = typeof record.message === 'string' ? record.message : '';
    if (UNAVAILABLE_MESSAGE.test(message)) return 'unavailable';
    if (/deadlock detected|could not serialize access/i.test(message)) return 'conflict';
    const meta = record.meta as { driverAdapterError?: unknown } | undefined;
    current = record.cause ?? meta?.driverAdapterError;
  }
  return 'permanent';
}

/**
 * One line saying what the database said, for logs: Prisma's own message is often
 * empty for driver-adapter errors, while the cause underneath has PostgreSQL's words
 * and SQLSTATE. Never includes query parameters (they may hold addresses).
 */
export function describeDatabaseError(error: unknown): string {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  let code: string | undefined;
  let original: string | undefined;
  let message: string | undefined;
  while (queue.length > 0) {
    const current = queue.shift();
    if (!current || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    const record = current as Record<string, unknown>;
    // SQLSTATEs only: Prisma's own codes (P2010 "raw query failed") say nothing here.
    code ??= [record.originalCode, record.code].find((c): c is string => typeof c === 'string' && /^[0-9A-Z]{5}$/.test(c) && !/^P\d{4}$/.test(c));
    if (typeof record.originalMessage === 'string') original ??= record.originalMessage;
    if (typeof record.message === 'string') message ??= record.message.trim().split('\n')[0].trim() || undefined;
    queue.push(record.cause, record.meta, (record.meta as Record<string, unknown> | undefined)?.driverAdapterError);
  }
  const text = (original ?? message)?.split('\n')[0];
  return [code, text].filter(Boolean).join(' ') || (error instanceof Error ? error.name : String(error));
}
