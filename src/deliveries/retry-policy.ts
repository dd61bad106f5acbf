import { backoffCeiling, backoffDelay, BackoffPolicy } from '../common/backoff';

/** First retry waits up to this long; each further one doubles the ceiling. */
export const BASE_DELAY_MS = 2_000;
export const MAX_DELAY_MS = 15 * 60_000;
/**
 * Never retry sooner than this: full jitter can draw ~0, and a failing SMTP server
 * should not see the same message again within the same second.
 */
export const MIN_DELAY_MS = 1_000;

const RETRY: BackoffPolicy = { baseMs: BASE_DELAY_MS, maxMs: MAX_DELAY_MS, minMs: MIN_DELAY_MS };

/**
 * How long to wait after failed attempt number `attempt` (1 for the first failure):
 * exponential backoff with full jitter, so many deliveries failing together do not
 * retry in lock-step. How long to keep trying is the email's age (delivery-age.ts).
 */
export function nextRetryDelay(attempt: number, random: () => number = Math.random): number {
  return backoffDelay(attempt, RETRY, random);
}

/** The largest delay nextRetryDelay can return after `attempt` failures. */
export function retryCeiling(attempt: number): number {
  return backoffCeiling(attempt, RETRY);
}
