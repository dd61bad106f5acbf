/** First retry waits up to this long; each further one doubles the ceiling. */
export const BASE_DELAY_MS = 2_000;
export const MAX_DELAY_MS = 15 * 60_000;
/**
 * Never retry sooner than this: full jitter can draw ~0, and a failing SMTP server
 * should not see the same message again within the same second.
 */
export const MIN_DELAY_MS = 1_000;

/**
 * How long to wait after failed attempt number `attempt` (1 for the first failure):
 * exponential backoff with full jitter (uniform between MIN_DELAY_MS and the
 * ceiling), so many deliveries failing together do not retry in lock-step.
 * Tolerates odd input instead of throwing, because it runs on the failure path.
 */
export function nextRetryDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = retryCeiling(attempt);
  const draw = clamp01(random());
  return Math.round(MIN_DELAY_MS + draw * (ceiling - MIN_DELAY_MS));
}

/** The largest delay nextRetryDelay can return after `attempt` failures. */
export function retryCeiling(attempt: number): number {
  const failures = Number.isFinite(attempt) ? Math.max(1, Math.floor(attempt)) : 1;
  // 2 s · 2^9 is already past the cap: stop doubling before the number overflows.
  const exponent = Math.min(failures - 1, 20);
  return Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** exponent);
}

function clamp01(value: number): number {
  if (!Number.isFinite(value) || value < 0) return 0;
  return value >= 1 ? 1 : value;
}
