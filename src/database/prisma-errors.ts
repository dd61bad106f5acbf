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

const CONFLICT_PG_CODES = new Set(['40001', '40P01', '55P03']);
const UNAVAILABLE_PG_CODES = new Set(['55000', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '53300', '3D000']);
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
