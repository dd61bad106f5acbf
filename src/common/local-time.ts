import { IANAZone } from 'luxon';

export const SECOND_MS = 1_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/*
 * Local days are counted as whole days since 1970-01-01 of the wall clock, so date
 * arithmetic never goes through a time zone. Digest slots and readers' quiet hours
 * share these helpers, so both read a daylight saving change the same way.
 */

/*
 * Asking Intl for an offset costs microseconds, and a digest run asks the same few
 * questions (same zones, same hours) for every subscriber. Offsets are cached per
 * zone and UTC hour, but only for hours with the same offset at both ends: an hour
 * containing a transition is always asked afresh, so the cache never changes an answer.
 */
const OFFSET_BUCKET = HOUR_MS;
const MAX_CACHED_BUCKETS = 100_000;
const offsetCache = new Map<string, Map<number, number>>();

/** The zone's offset from UTC at instant `t`, in milliseconds. */
export function offsetMs(zone: IANAZone, t: number): number {
  const bucket = Math.floor(t / OFFSET_BUCKET);
  let cache = offsetCache.get(zone.name);
  if (!cache) offsetCache.set(zone.name, (cache = new Map()));
  const cached = cache.get(bucket);
  if (cached !== undefined) return cached;

  const start = bucket * OFFSET_BUCKET;
  const atStart = rawOffsetMs(zone, start);
  if (atStart !== rawOffsetMs(zone, start + OFFSET_BUCKET - SECOND_MS)) return rawOffsetMs(zone, t);
  if (cache.size >= MAX_CACHED_BUCKETS) cache.clear();
  cache.set(bucket, atStart);
  return atStart;
}

function rawOffsetMs(zone: IANAZone, t: number): number {
  return Math.round(zone.offset(t) * 60) * SECOND_MS;
}

/** The local calendar day (days since 1970-01-01 on the wall clock) at instant `t`. */
export function localDay(zone: IANAZone, t: number): number {
  return Math.floor((t + offsetMs(zone, t)) / DAY_MS);
}

/** The hour (0–23) the local clock reads at instant `t`. */
export function localHour(zone: IANAZone, t: number): number {
  const wall = t + offsetMs(zone, t);
  return Math.floor((wall - Math.floor(wall / DAY_MS) * DAY_MS) / HOUR_MS);
}

/**
 * The first instant at which the local clock reads `day` hour:00 or later:
 *  - hour:00 skipped (spring forward): the instant the clock jumps over it, e.g. 03:00
 *    when Paris jumps from 02:00 to 03:00;
 *  - hour:00 happening twice (fall back): the first occurrence.
 */
export function firstInstantAt(zone: IANAZone, day: number, hour: number): number {
  const wall = day * DAY_MS + hour * HOUR_MS;
  // The offsets in force a day either side are the only ones this wall time can have.
  const before = offsetMs(zone, wall - DAY_MS);
  const after = offsetMs(zone, wall + DAY_MS);
  let earliest = Number.POSITIVE_INFINITY;
  for (const offset of [before, after]) {
    const t = wall - offset;
    if (t < earliest && offsetMs(zone, t) === offset) earliest = t;
  }
  if (earliest !== Number.POSITIVE_INFINITY) return earliest;
  return transitionIn(zone, wall - after, wall - before);
}

/**
 * The wall time fell into a gap: the clock jumped over it at some instant in
 * (lo, hi]. Find that instant to the second (zone transitions are on whole seconds).
 */
function transitionIn(zone: IANAZone, lo: number, hi: number): number {
  const offsetAtLo = offsetMs(zone, lo);
  let low = lo;
  let high = hi;
  while (high - low > SECOND_MS) {
    const mid = low + Math.floor((high - low) / 2 / SECOND_MS) * SECOND_MS;
    if (offsetMs(zone, mid) === offsetAtLo) low = mid;
    else high = mid;
  }
  return high;
}
