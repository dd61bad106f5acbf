/** A limit: at most `limit` hits in a window of `windowMs` that starts at the first of them. */
export interface WindowLimit {
  limit: number;
  windowMs: number;
}

/** Whole seconds until the window ends, at least 1: what Retry-After says to a refused caller. */
export function retryAfterSeconds(windowEnd: Date, now: Date): number {
  return Math.max(1, Math.ceil((windowEnd.getTime() - now.getTime()) / 1000));
}
