import { DateTime, IANAZone } from 'luxon';
import { DAY_MS, firstInstantAt, HOUR_MS, localDay, offsetMs } from '../common/local-time';
import { isValidTimeZone } from '../common/timezone';

export type DigestFrequency = 'daily' | 'weekly';

export interface DigestPrefs {
  frequency: DigestFrequency;
  /** Local hour, 0–23. */
  sendHour: number;
  /** IANA time zone name. */
  timezone: string;
  /** ISO weekday, 1 = Monday … 7 = Sunday; used by weekly digests. */
  weekday: number;
}

export interface DigestWindow {
  /** Exclusive: an article published exactly here belonged to the previous digest. */
  from: Date;
  /** Inclusive: the slot itself. */
  to: Date;
}

const WEEK = 7 * DAY_MS;

/*
 * A subscriber's slots are, for each local calendar day D they get a digest on (every
 * day, or their weekday), the first instant at which their clock reads D sendHour:00
 * or later. That one rule covers daylight saving time:
 *  - sendHour:00 skipped (spring forward): the first instant after the gap, e.g. 03:00
 *    when Paris jumps from 02:00 to 03:00;
 *  - sendHour:00 happening twice (fall back): the first occurrence.
 * Slots never decrease as D increases, which is what makes the searches below exact.
 * (The wall-clock arithmetic lives in common/local-time.ts, shared with quiet hours.)
 */

/** The most recent slot at or before `at`. */
export function latestSlotAtOrBefore(prefs: DigestPrefs, at: Date): Date {
  const zone = zoneOf(prefs);
  const t = instant(at);
  const day = lastDigestDayOnOrBefore(prefs, localDay(zone, t));
  const slot = firstInstantAt(zone, day, prefs.sendHour);
  return new Date(slot <= t ? slot : firstInstantAt(zone, day - stepDays(prefs), prefs.sendHour));
}

/** The first slot strictly after `after`. */
export function nextSlotAfter(prefs: DigestPrefs, after: Date): Date {
  const zone = zoneOf(prefs);
  const t = instant(after);
  const day = lastDigestDayOnOrBefore(prefs, localDay(zone, t));
  const slot = firstInstantAt(zone, day, prefs.sendHour);
  return new Date(slot > t ? slot : firstInstantAt(zone, day + stepDays(prefs), prefs.sendHour));
}

/**
 * The period a slot delivers: the local date 'YYYY-MM-DD' (daily) or ISO week
 * 'YYYY-Www' (weekly) of the day the slot belongs to. It does not depend on the hour,
 * so moving sendHour (or the weekday) within a period never yields a second digest.
 */
export function periodKey(prefs: DigestPrefs, slot: Date): string {
  const zone = zoneOf(prefs);
  const t = instant(slot);
  // A slot pushed past midnight by a gap still belongs to the day before: shifting
  // back by sendHour finds the day D whose D sendHour:00 the slot stands for.
  const day = Math.floor((t + offsetMs(zone, t) - prefs.sendHour * HOUR_MS) / DAY_MS);
  const date = DateTime.fromMillis(day * DAY_MS, { zone: 'utc' });
  return prefs.frequency === 'daily'
    ? (date.toISODate() as string)
    : `${String(date.weekYear).padStart(4, '0')}-W${String(date.weekNumber).padStart(2, '0')}`;
}

/**
 * The publication times a digest at `slot` covers: the 24 hours (daily) or 7 days
 * (weekly) up to the slot, `from` exclusive and `to` inclusive, so back-to-back
 * windows neither overlap nor leave a gap at their edges. When the previous slot is
 * further back than that (a 25-hour day when clocks fall back), the window reaches
 * back to it so no article falls between two digests.
 */
export function digestWindow(prefs: DigestPrefs, slot: Date): DigestWindow {
  const to = instant(slot);
  const length = prefs.frequency === 'daily' ? DAY_MS : WEEK;
  const previous = latestSlotAtOrBefore(prefs, new Date(to - 1)).getTime();
  return { from: new Date(Math.min(to - length, previous)), to: new Date(to) };
}

/** Throws RangeError for preferences the edge validation should never have let through. */
export function assertDigestPrefs(prefs: DigestPrefs): void {
  if (prefs.frequency !== 'daily' && prefs.frequency !== 'weekly') {
    throw new RangeError(`frequency must be daily or weekly, got ${String(prefs.frequency)}`);
  }
  if (!Number.isInteger(prefs.sendHour) || prefs.sendHour < 0 || prefs.sendHour > 23) {
    throw new RangeError(`sendHour must be an integer from 0 to 23, got ${prefs.sendHour}`);
  }
  if (!Number.isInteger(prefs.weekday) || prefs.weekday < 1 || prefs.weekday > 7) {
    throw new RangeError(`weekday must be an integer from 1 to 7, got ${prefs.weekday}`);
  }
  if (!isValidTimeZone(prefs.timezone)) {
    throw new RangeError(`timezone must be an IANA time zone, got ${prefs.timezone}`);
  }
}

function zoneOf(prefs: DigestPrefs): IANAZone {
  assertDigestPrefs(prefs);
  return IANAZone.create(prefs.timezone);
}

function instant(date: Date): number {
  const t = date.getTime();
  if (Number.isNaN(t)) throw new RangeError('invalid date');
  return t;
}

function stepDays(prefs: DigestPrefs): number {
  return prefs.frequency === 'daily' ? 1 : 7;
}

/** The latest local day ≤ `day` that gets a digest. */
function lastDigestDayOnOrBefore(prefs: DigestPrefs, day: number): number {
  if (prefs.frequency === 'daily') return day;
  return day - ((isoWeekday(day) - prefs.weekday + 7) % 7);
}

/** 1970-01-01 was a Thursday (ISO 4). */
function isoWeekday(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}
