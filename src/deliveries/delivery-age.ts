import type { AlertPriority, DeliveryKind } from '../generated/prisma/enums';
import type { DeliveryPayload } from './delivery.types';

const HOUR_MS = 60 * 60_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * How long an email stays worth sending after it was decided. Retries and
 * outages never give an email up by how often they failed, only by this:
 * - a confirmation or preference link: 3 days (its token lives longer; a reader
 *   who signed up during a long relay outage still gets it when the relay is back);
 * - a breaking alert: 6 hours, after which it is no longer news; a minor one 12 hours,
 *   as it may wait for its reader's quiet hours to end (minor-alert-decision.ts);
 * - a breaking alert's web push: 1 hour, its TTL at the push service;
 * - a digest: until the reader's next one is due (a day for a daily, a week for a
 *   weekly one), which would carry the same stories anyway.
 */
export const MAX_AGE_MS: Readonly<Record<DeliveryKind, number>> = {
  confirm: 3 * DAY_MS,
  manage: 3 * DAY_MS,
  alert: 6 * HOUR_MS,
  push: HOUR_MS,
  digest: DAY_MS,
};

/** A minor alert that could reach its reader only later than this after its release is dropped. */
export const MINOR_ALERT_MAX_AGE_MS = 12 * HOUR_MS;

/** Weekly periods are named like 2026-W48, daily ones like 2026-11-24. */
const WEEKLY_PERIOD = /^\d{4}-W\d{2}$/;

export function giveUpAt(row: { kind: DeliveryKind; createdAt: Date; payload: DeliveryPayload; alertPriority?: AlertPriority | null }): Date {
  const maxAge =
    row.kind === 'digest' && WEEKLY_PERIOD.test(row.payload.period ?? '')
      ? 7 * DAY_MS
      : row.kind === 'alert' && row.alertPriority === 'minor'
        ? MINOR_ALERT_MAX_AGE_MS
        : MAX_AGE_MS[row.kind];
  return new Date(row.createdAt.getTime() + maxAge);
}
