import { inQuietHours, localDayStart, quietHoursEnd, quietHoursOf } from '../common/quiet-hours';
import { isValidTimeZone } from '../common/timezone';
import { MINOR_ALERT_MAX_AGE_MS } from './delivery-age';
import type { ClaimedDelivery } from './delivery.types';

export const HELD_TOO_LONG = 'minor alert held past 12 hours';
export const DAILY_CAP_REACHED = 'daily alert cap reached';

export type MinorAlertRow = Pick<
  ClaimedDelivery,
  'kind' | 'wasUncertain' | 'subscriberId' | 'alertPriority' | 'alertTest' | 'alertCreatedAt' | 'alertSendAt' | 'createdAt' | 'timezone' | 'quietHoursStart' | 'quietHoursEnd' | 'maxAlertsPerDay'
>;

export type MinorAlertDecision = { action: 'go' } | { action: 'hold'; until: Date } | { action: 'skip'; reason: string };

/**
 * Whether a row is one the reader's quiet hours and cap apply to: the email of a minor
 * alert that is not a staff test. Major and test alerts go at once and never count
 * towards the cap. Push rows go to a browser, not to a reader with preferences: push
 * subscriptions have no quiet hours or cap (the device's own do-not-disturb rules them).
 */
export function readerLimitsApply(row: Pick<MinorAlertRow, 'kind' | 'alertPriority' | 'alertTest'>): boolean {
  return row.kind === 'alert' && row.alertPriority === 'minor' && row.alertTest !== true;
}

/** Rows whose decision needs the count of minor alerts already sent to their reader today. */
export function needsSentToday(row: MinorAlertRow): boolean {
  return readerLimitsApply(row) && row.maxAlertsPerDay !== null && row.subscriberId !== null;
}

/** Where the reader's local day began (UTC for a zone that no longer parses): their cap counts from there. */
export function capDayStart(row: Pick<MinorAlertRow, 'timezone'>, now: Date): Date {
  return localDayStart(now, zoneOf(row));
}

/**
 * One minor alert email, decided at claim time (so a row released from a hold is
 * decided again, with the reader's preferences as they are then):
 *  - in the reader's quiet hours: held until they end, or dropped if the alert would
 *    be more than 12 hours old by then (counted from its release: the later of its
 *    creation and its scheduled time);
 *  - otherwise dropped if the reader already had `maxAlertsPerDay` minor alerts this
 *    local day (`sentToday`), else sent.
 * The cap is checked only when the alert would go, so an alert held overnight counts
 * towards the day it is delivered in.
 */
export function decideMinorAlert(row: MinorAlertRow, now: Date, sentToday: number): MinorAlertDecision {
  // An uncertain row may already be in the reader's inbox: it was let through once and is resent as it was, never held back.
  if (!readerLimitsApply(row) || row.wasUncertain) return { action: 'go' };
  const quiet = quietHoursOf(row.quietHoursStart, row.quietHoursEnd);
  const timezone = zoneOf(row);
  if (quiet && inQuietHours(now, timezone, quiet)) {
    const until = quietHoursEnd(now, timezone, quiet) as Date;
    if (until.getTime() - releasedAt(row).getTime() > MINOR_ALERT_MAX_AGE_MS) return { action: 'skip', reason: HELD_TOO_LONG };
    return { action: 'hold', until };
  }
  if (row.maxAlertsPerDay !== null && sentToday >= row.maxAlertsPerDay) return { action: 'skip', reason: DAILY_CAP_REACHED };
  return { action: 'go' };
}

/**
 * The minor alerts of the day of each of `readers`: those recorded as sent (`recorded`,
 * from the database) and those this instance let through and has not recorded yet
 * (`inHand`: waiting for a connection, on the wire, or sent and not yet written). A row
 * can be in both while its record is written; it counts once.
 */
export function sentTodayCounts(
  readers: Iterable<string>,
  recorded: ReadonlyMap<string, readonly bigint[]>,
  inHand: readonly (Pick<MinorAlertRow, 'kind' | 'subscriberId' | 'alertPriority' | 'alertTest'> & { id: bigint })[],
): Map<string, number> {
  const ids = new Map<string, Set<bigint>>([...readers].map((reader) => [reader, new Set(recorded.get(reader))]));
  for (const row of inHand) {
    if (readerLimitsApply(row) && row.subscriberId !== null) ids.get(row.subscriberId)?.add(row.id);
  }
  return new Map([...ids].map(([reader, rows]) => [reader, rows.size]));
}

export interface MinorAlertBatch<R> {
  go: R[];
  /** Rows to hold, by the instant they are due again (ms since the epoch). */
  hold: Map<number, R[]>;
  skip: Map<string, R[]>;
}

/**
 * Decides a claimed batch. `sentToday` counts each reader's minor alerts already sent
 * this local day; rows of one reader decided "go" here count too, so a batch never
 * takes a reader past the cap however many of their alerts it holds.
 */
export function decideMinorAlerts<R extends MinorAlertRow>(rows: readonly R[], now: Date, sentToday: ReadonlyMap<string, number>): MinorAlertBatch<R> {
  const batch: MinorAlertBatch<R> = { go: [], hold: new Map(), skip: new Map() };
  const goingNow = new Map<string, number>();
  for (const row of rows) {
    const reader = row.subscriberId ?? '';
    const counted = (sentToday.get(reader) ?? 0) + (goingNow.get(reader) ?? 0);
    const decision = decideMinorAlert(row, now, counted);
    if (decision.action === 'go') {
      batch.go.push(row);
      if (readerLimitsApply(row) && !row.wasUncertain) goingNow.set(reader, (goingNow.get(reader) ?? 0) + 1);
    } else if (decision.action === 'hold') add(batch.hold, decision.until.getTime(), row);
    else add(batch.skip, decision.reason, row);
  }
  return batch;
}

function releasedAt(row: MinorAlertRow): Date {
  const times = [row.alertCreatedAt, row.alertSendAt].filter((time): time is Date => time !== null);
  return times.length > 0 ? new Date(Math.max(...times.map((time) => time.getTime()))) : row.createdAt;
}

/** Time zones are checked when a reader saves them; one that stopped parsing (a zone withdrawn from tzdata) is read as UTC rather than stopping the outbox. */
function zoneOf(row: Pick<MinorAlertRow, 'timezone'>): string {
  return row.timezone !== null && isValidTimeZone(row.timezone) ? row.timezone : 'UTC';
}

function add<K, R>(groups: Map<K, R[]>, key: K, row: R): void {
  const group = groups.get(key);
  if (group) group.push(row);
  else groups.set(key, [row]);
}
