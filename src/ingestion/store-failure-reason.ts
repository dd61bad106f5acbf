/** A DLQ reason travels in a Kafka header: a line, not an essay. */
const MAX_REASON_LENGTH = 500;

interface DriverCause {
  originalCode?: unknown;
  originalMessage?: unknown;
}

/** PostgreSQL's own words, which Prisma keeps under meta.driverAdapterError (or cause, when the adapter's error is thrown as is). */
function driverCauseOf(error: unknown): DriverCause | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const record = error as { meta?: { driverAdapterError?: { cause?: DriverCause } }; cause?: DriverCause };
  const cause = record.meta?.driverAdapterError?.cause ?? record.cause;
  return typeof cause?.originalMessage === 'string' ? cause : undefined;
}

/**
 * The `dispatch-error` reason for an event that decoded fine but could not be stored,
 * e.g. `could not be stored: 23514 new row for relation "Article" violates check constraint "x"`.
 * Prisma's messages open with a blank line and a source excerpt; the database's code and
 * message say what an operator needs, so they are preferred, else the message's last line.
 */
export function storeFailureReason(error: unknown): string {
  const driver = driverCauseOf(error);
  let detail: string;
  if (driver) {
    detail = [driver.originalCode, driver.originalMessage].filter((part) => typeof part === 'string' && part !== '').join(' ');
  } else {
    const message = error instanceof Error ? error.message : String(error);
    detail = message.split('\n').map((line) => line.trim()).filter((line) => line !== '').pop() ?? '';
  }
  const reason = `could not be stored: ${(detail || 'unknown error').replace(/\p{Cc}+/gu, ' ')}`;
  return reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH - 1)}…` : reason;
}
