/** Soft bounces of one reader in a row (no delivery heard in between). */
export interface SoftBounceStreak {
  count: number;
  firstAt: Date;
  lastAt: Date;
  lastDeliveryId: bigint;
}

export interface SoftBouncePolicy {
  /** Soft bounces in a row before the address is suppressed (SOFT_BOUNCE_LIMIT). */
  limit: number;
  /** … which must span at least this many days (SOFT_BOUNCE_DAYS): a mailbox full for a weekend recovers. */
  days: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** A soft bounce this long after the previous one starts a new streak: the old one was not "in a row". */
export const STREAK_GAP_MS = 30 * DAY_MS;

/**
 * The streak after one more soft bounce. The same delivery reported again (an MTA's repeated
 * "still delayed" notices) does not count twice; a long quiet gap starts over.
 */
export function nextStreak(previous: SoftBounceStreak | null, deliveryId: bigint, at: Date): SoftBounceStreak {
  if (!previous || at.getTime() - previous.lastAt.getTime() > STREAK_GAP_MS) return { count: 1, firstAt: at, lastAt: at, lastDeliveryId: deliveryId };
  const later = at > previous.lastAt ? at : previous.lastAt;
  if (previous.lastDeliveryId === deliveryId) return { ...previous, lastAt: later };
  return { count: previous.count + 1, firstAt: previous.firstAt, lastAt: later, lastDeliveryId: deliveryId };
}

export function streakSuppresses(streak: SoftBounceStreak, policy: SoftBouncePolicy): boolean {
  return streak.count >= policy.limit && streak.lastAt.getTime() - streak.firstAt.getTime() >= policy.days * DAY_MS;
}
