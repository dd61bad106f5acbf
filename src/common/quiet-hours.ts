import { IANAZone } from 'luxon';
import { firstInstantAt, localDay, localHour } from './local-time';
import { isValidTimeZone } from './timezone';

/** Local hours (0–23) in which a reader wants no minor alerts: `start` inclusive, `end` exclusive. */
export interface QuietHours {
  start: number;
  end: number;
}

/*
 * Quiet hours are read off the reader's wall clock, hour by hour, so they follow
 * daylight saving time: "22 to 7" is 22:00 to 07:00 local time whatever the offset,
 * and lasts an hour less or more on the nights the clocks change. Around a change:
 *  - the end hour skipped (spring forward, e.g. quiet until 02:00 in Paris on
 *    2026-03-29): quiet hours end when the clock jumps past it (03:00 local);
 *  - the end hour happening twice (fall back): they end at its first occurrence, and
 *    the repeated hour is not quiet (its hour is the end hour, outside the range);
 *  - a start hour skipped: quiet hours begin when the clock jumps past it, as the
 *    local hour is then inside the range.
 * The end is always the first instant at which the local hour leaves the range, so
 * `inQuietHours` and `quietHoursEnd` never disagree.
 */

/** The reader's quiet hours, or null for none (both unset, or a range that holds no hour). */
export function quietHoursOf(start: number | null, end: number | null): QuietHours | null {
  if (!isHour(start) || !isHour(end) || start === end) return null;
  return { start, end };
}

/** Whether `now` falls in the quiet hours, read on the wall clock of `timezone`. */
export function inQuietHours(now: Date, timezone: string, quiet: QuietHours): boolean {
  assertQuietHours(quiet);
  const hour = localHour(zoneOf(timezone), instant(now));
  return quiet.start < quiet.end ? hour >= quiet.start && hour < quiet.end : hour >= quiet.start || hour < quiet.end;
}

/**
 * The instant the quiet hours that `now` falls in end: the first instant after `now`
 * at which the local clock reads `end`:00 or later. Undefined when `now` is not in
 * quiet hours.
 */
export function quietHoursEnd(now: Date, timezone: string, quiet: QuietHours): Date | undefined {
  if (!inQuietHours(now, timezone, quiet)) return undefined;
  const zone = zoneOf(timezone);
  const t = instant(now);
  const day = localDay(zone, t);
  const today = firstInstantAt(zone, day, quiet.end);
  return new Date(today > t ? today : firstInstantAt(zone, day + 1, quiet.end));
}

/**
 * The instant the reader's local day containing `now` began: the first instant the
 * clock read 00:00 or later that day (where midnight is skipped, the jump past it).
 */
export function localDayStart(now: Date, timezone: string): Date {
  const zone = zoneOf(timezone);
  return new Date(firstInstantAt(zone, localDay(zone, instant(now)), 0));
}

function isHour(value: number | null): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 23;
}

function assertQuietHours(quiet: QuietHours): void {
  if (quietHoursOf(quiet.start, quiet.end) === null) {
    throw new RangeError(`quiet hours must be two different hours from 0 to 23, got ${quiet.start} to ${quiet.end}`);
  }
}

function zoneOf(timezone: string): IANAZone {
  if (!isValidTimeZone(timezone)) throw new RangeError(`timezone must be an IANA time zone, got ${timezone}`);
  return IANAZone.create(timezone);
}

function instant(date: Date): number {
  const t = date.getTime();
  if (Number.isNaN(t)) throw new RangeError('invalid date');
  return t;
}
