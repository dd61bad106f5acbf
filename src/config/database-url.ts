export interface SessionTimeouts {
  /** statement_timeout: a statement running longer is cancelled (SQLSTATE 57014). */
  statementMs: number;
  /** lock_timeout: a statement waiting longer for a lock gives up (SQLSTATE 55P03). */
  lockMs: number;
}

/**
 * DATABASE_URL with the session timeouts added as libpq `options`, so every
 * connection made from it (the Prisma pool, the LISTEN connection, the operator CLI)
 * has them without each site having to remember. Timeouts the URL already sets in
 * its own `options` come after ours, so they win.
 */
export function withSessionTimeouts(databaseUrl: string, timeouts: SessionTimeouts): string {
  const url = new URL(databaseUrl);
  const ours = `-c statement_timeout=${timeouts.statementMs} -c lock_timeout=${timeouts.lockMs}`;
  const theirs = url.searchParams.get('options');
  url.searchParams.set('options', theirs ? `${ours} ${theirs}` : ours);
  return url.toString();
}
