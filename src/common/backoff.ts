/** Exponential backoff with full jitter: the ceiling doubles from `baseMs` per attempt, up to `maxMs`. */
export interface BackoffPolicy {
  /** Ceiling after the first failure. */
  baseMs: number;
  /** No wait is ever longer. */
  maxMs: number;
  /** No wait is ever shorter: full jitter can draw ~0, and a failing peer should not see us again at once. */
  minMs: number;
}

/** The largest delay backoffDelay can return after `attempt` failures (1 for the first). */
export function backoffCeiling(attempt: number, policy: BackoffPolicy): number {
  const failures = Number.isFinite(attempt) ? Math.max(1, Math.floor(attempt)) : 1;
  // Stop doubling long before the number overflows; the cap is reached well before.
  const exponent = Math.min(failures - 1, 30);
  return Math.max(policy.minMs, Math.min(policy.maxMs, policy.baseMs * 2 ** exponent));
}

/**
 * How long to wait after failed attempt number `attempt`: uniform between minMs and
 * the ceiling, so many callers failing together do not retry in lock-step.
 * Tolerates odd input instead of throwing, because it runs on failure paths.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = backoffCeiling(attempt, policy);
  const draw = random();
  const unit = Number.isFinite(draw) ? Math.min(1, Math.max(0, draw)) : 0;
  return Math.round(policy.minMs + unit * (ceiling - policy.minMs));
}
