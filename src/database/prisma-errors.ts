import { Prisma } from '../generated/prisma/client';

/** A unique-key collision: under at-least-once delivery this means "already done". */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

const TRANSIENT_PG_CODES = new Set(['40001', '40P01', '57P01', '57P02', '57P03', '08000', '08003', '08006', '53300']);
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND']);

/** Errors worth retrying: the database is down, restarting, or asked us to retry (deadlock, serialisation). */
export function isTransientDatabaseError(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const record = current as { code?: unknown; message?: unknown; cause?: unknown; meta?: unknown };
    const code = typeof record.code === 'string' ? record.code : undefined;
    if (code && (TRANSIENT_PG_CODES.has(code) || TRANSIENT_NODE_CODES.has(code))) return true;
    if (error instanceof Prisma.PrismaClientInitializationError) return true;
    if (code && ['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2034'].includes(code)) return true;
    const message = typeof record.message === 'string' ? record.message : '';
    if (/Connection terminated|terminating connection|connection refused|ECONNREFUSED|ECONNRESET|Can't reach database|timeout exceeded when trying to connect/i.test(message)) {
      return true;
    }
    current = record.cause ?? (record.meta as { driverAdapterError?: unknown } | undefined)?.driverAdapterError;
  }
  return false;
}
