import { inQuietHours, localDayStart, QuietHours, quietHoursEnd, quietHoursOf } from './quiet-hours';

const at = (iso: string) => new Date(iso);
const night: QuietHours = { start: 22, end: 7 };
const early: QuietHours = { start: 1, end: 3 };

describe(quietHoursOf.name, () => {
  it('makes quiet hours of two different hours', () => {
    expect(quietHoursOf(22, 7)).toEqual({ start: 22, end: 7 });
    expect(quietHoursOf(0, 23)).toEqual({ start: 0, end: 23 });
  });

  it.each([
    [null, null],
    [22, null],
    [null, 7],
    [5, 5],
    [-1, 7],
    [22, 24],
    [1.5, 3],
  ])('has none for %p to %p', (start, end) => {
    expect(quietHoursOf(start, end)).toBeNull();
  });
});

describe(inQuietHours.name, () => {
  it('runs from start (inclusive) to end (exclusive) on the same day', () => {
    const quiet = { start: 9, end: 17 };
    expect(inQuietHours(at('2026-06-01T08:59:59Z'), 'UTC', quiet)).toBe(false);
    expect(inQuietHours(at('2026-06-01T09:00:00Z'), 'UTC', quiet)).toBe(true);
    expect(inQuietHours(at('2026-06-01T16:59:59Z'), 'UTC', quiet)).toBe(true);
    expect(inQuietHours(at('2026-06-01T17:00:00Z'), 'UTC', quiet)).toBe(false);
  });

  it('runs across midnight when start > end', () => {
    expect(inQuietHours(at('2026-06-01T21:59:59Z'), 'UTC', night)).toBe(false);
    expect(inQuietHours(at('2026-06-01T22:00:00Z'), 'UTC', night)).toBe(true);
    expect(inQuietHours(at('2026-06-02T00:00:00Z'), 'UTC', night)).toBe(true);
    expect(inQuietHours(at('2026-06-02T06:59:59Z'), 'UTC', night)).toBe(true);
    expect(inQuietHours(at('2026-06-02T07:00:00Z'), 'UTC', night)).toBe(false);
  });

  it('reads the reader’s own clock: 22:00 in Paris is 20:00 UTC in summer', () => {
    expect(inQuietHours(at('2026-06-01T19:59:00Z'), 'Europe/Paris', night)).toBe(false);
    expect(inQuietHours(at('2026-06-01T20:00:00Z'), 'Europe/Paris', night)).toBe(true);
  });

  it('follows a half-hour offset (Asia/Kolkata, UTC+05:30)', () => {
    expect(inQuietHours(at('2026-06-01T16:29:59Z'), 'Asia/Kolkata', night)).toBe(false);
    expect(inQuietHours(at('2026-06-01T16:30:00Z'), 'Asia/Kolkata', night)).toBe(true);
    expect(inQuietHours(at('2026-06-02T01:29:59Z'), 'Asia/Kolkata', night)).toBe(true);
    expect(inQuietHours(at('2026-06-02T01:30:00Z'), 'Asia/Kolkata', night)).toBe(false);
  });

  it('starts when the clock jumps past a start hour that does not exist (Paris, 2026-03-29: 02:00 → 03:00)', () => {
    const quiet = { start: 2, end: 5 };
    expect(inQuietHours(at('2026-03-29T00:59:59Z'), 'Europe/Paris', quiet)).toBe(false); // 01:59:59 CET
    expect(inQuietHours(at('2026-03-29T01:00:00Z'), 'Europe/Paris', quiet)).toBe(true); // 03:00 CEST
  });

  it('keeps an hour that happens twice quiet both times (Paris, 2026-10-25: 03:00 → 02:00)', () => {
    const quiet = { start: 2, end: 3 };
    expect(inQuietHours(at('2026-10-25T00:30:00Z'), 'Europe/Paris', quiet)).toBe(true); // 02:30 CEST
    expect(inQuietHours(at('2026-10-25T01:30:00Z'), 'Europe/Paris', quiet)).toBe(true); // 02:30 CET
    expect(inQuietHours(at('2026-10-25T02:00:00Z'), 'Europe/Paris', quiet)).toBe(false); // 03:00 CET
  });

  it('refuses quiet hours that hold no hour and unknown zones', () => {
    expect(() => inQuietHours(at('2026-06-01T00:00:00Z'), 'UTC', { start: 4, end: 4 })).toThrow(RangeError);
    expect(() => inQuietHours(at('2026-06-01T00:00:00Z'), 'Europe/Atlantis', night)).toThrow(RangeError);
  });
});

describe(quietHoursEnd.name, () => {
  it('is undefined outside quiet hours', () => {
    expect(quietHoursEnd(at('2026-06-01T12:00:00Z'), 'UTC', night)).toBeUndefined();
  });

  it('is the next end hour, the same day or the next', () => {
    expect(quietHoursEnd(at('2026-06-01T23:00:00Z'), 'UTC', night)).toEqual(at('2026-06-02T07:00:00Z'));
    expect(quietHoursEnd(at('2026-06-02T03:00:00Z'), 'UTC', night)).toEqual(at('2026-06-02T07:00:00Z'));
    expect(quietHoursEnd(at('2026-06-01T22:00:00Z'), 'UTC', night)).toEqual(at('2026-06-02T07:00:00Z'));
  });

  describe('Europe/Paris, spring forward on 2026-03-29 (02:00 CET → 03:00 CEST at 01:00 UTC)', () => {
    const paris = 'Europe/Paris';

    it('22 → 7: 07:00 summer time, a night one hour shorter', () => {
      expect(quietHoursEnd(at('2026-03-28T21:30:00Z'), paris, night)).toEqual(at('2026-03-29T05:00:00Z'));
      expect(inQuietHours(at('2026-03-29T04:59:59Z'), paris, night)).toBe(true);
      expect(inQuietHours(at('2026-03-29T05:00:00Z'), paris, night)).toBe(false);
    });

    it('1 → 3: one real hour, ending when the clock jumps to 03:00', () => {
      expect(inQuietHours(at('2026-03-29T00:00:00Z'), paris, early)).toBe(true);
      expect(quietHoursEnd(at('2026-03-29T00:00:00Z'), paris, early)).toEqual(at('2026-03-29T01:00:00Z'));
      expect(inQuietHours(at('2026-03-29T01:00:00Z'), paris, early)).toBe(false);
    });

    it('an end hour that does not exist (22 → 2): quiet hours end at the jump, 03:00 CEST', () => {
      expect(quietHoursEnd(at('2026-03-29T00:30:00Z'), paris, { start: 22, end: 2 })).toEqual(at('2026-03-29T01:00:00Z'));
    });
  });

  describe('Europe/Paris, fall back on 2026-10-25 (03:00 CEST → 02:00 CET at 01:00 UTC)', () => {
    const paris = 'Europe/Paris';

    it('22 → 7: 07:00 winter time, a night one hour longer', () => {
      expect(quietHoursEnd(at('2026-10-24T20:30:00Z'), paris, night)).toEqual(at('2026-10-25T06:00:00Z'));
    });

    it('1 → 3: three real hours, 02:00–02:59 twice, ending at 03:00 CET', () => {
      expect(quietHoursEnd(at('2026-10-24T23:00:00Z'), paris, early)).toEqual(at('2026-10-25T02:00:00Z'));
      expect(quietHoursEnd(at('2026-10-25T01:30:00Z'), paris, early)).toEqual(at('2026-10-25T02:00:00Z'));
    });

    it('an end hour that happens twice (22 → 2): the first 02:00, and the repeated hour is not quiet', () => {
      const quiet = { start: 22, end: 2 };
      expect(quietHoursEnd(at('2026-10-24T23:30:00Z'), paris, quiet)).toEqual(at('2026-10-25T00:00:00Z'));
      expect(inQuietHours(at('2026-10-25T01:30:00Z'), paris, quiet)).toBe(false);
    });
  });

  describe('America/New_York, 2026-03-08 (02:00 EST → 03:00 EDT) and 2026-11-01 (02:00 EDT → 01:00 EST)', () => {
    const newYork = 'America/New_York';

    it('22 → 7 across each change', () => {
      expect(quietHoursEnd(at('2026-03-08T03:00:00Z'), newYork, night)).toEqual(at('2026-03-08T11:00:00Z'));
      expect(quietHoursEnd(at('2026-11-01T02:30:00Z'), newYork, night)).toEqual(at('2026-11-01T12:00:00Z'));
    });

    it('1 → 3: one real hour in spring, three in autumn (01:00–01:59 twice)', () => {
      expect(quietHoursEnd(at('2026-03-08T06:30:00Z'), newYork, early)).toEqual(at('2026-03-08T07:00:00Z'));
      expect(quietHoursEnd(at('2026-11-01T05:00:00Z'), newYork, early)).toEqual(at('2026-11-01T08:00:00Z'));
      expect(quietHoursEnd(at('2026-11-01T06:30:00Z'), newYork, early)).toEqual(at('2026-11-01T08:00:00Z'));
    });
  });

  describe('a half-hour zone with daylight saving (Australia/Adelaide, +09:30 / +10:30)', () => {
    const adelaide = 'Australia/Adelaide';

    it('1 → 3 on 2026-04-05 (03:00 ACDT → 02:00 ACST): ends at 03:00 ACST', () => {
      expect(quietHoursEnd(at('2026-04-04T14:30:00Z'), adelaide, early)).toEqual(at('2026-04-04T17:30:00Z'));
    });

    it('22 → 7 on 2026-10-04 (02:00 ACST → 03:00 ACDT): ends at 07:00 ACDT', () => {
      expect(quietHoursEnd(at('2026-10-03T12:30:00Z'), adelaide, night)).toEqual(at('2026-10-03T20:30:00Z'));
    });

    it('on a plain half-hour zone (Asia/Kolkata)', () => {
      expect(quietHoursEnd(at('2026-06-01T17:00:00Z'), 'Asia/Kolkata', night)).toEqual(at('2026-06-02T01:30:00Z'));
    });
  });
});

describe(localDayStart.name, () => {
  it('is local midnight', () => {
    expect(localDayStart(at('2026-06-01T12:00:00Z'), 'UTC')).toEqual(at('2026-06-01T00:00:00Z'));
    expect(localDayStart(at('2026-06-01T18:29:59Z'), 'Asia/Kolkata')).toEqual(at('2026-05-31T18:30:00Z'));
    expect(localDayStart(at('2026-06-01T18:30:00Z'), 'Asia/Kolkata')).toEqual(at('2026-06-01T18:30:00Z'));
  });

  it('uses the offset in force at midnight on the days the clocks change', () => {
    expect(localDayStart(at('2026-03-29T12:00:00Z'), 'Europe/Paris')).toEqual(at('2026-03-28T23:00:00Z'));
    expect(localDayStart(at('2026-10-25T12:00:00Z'), 'Europe/Paris')).toEqual(at('2026-10-24T22:00:00Z'));
    expect(localDayStart(at('2026-11-01T12:00:00Z'), 'America/New_York')).toEqual(at('2026-11-01T04:00:00Z'));
  });

  it('is the jump past a midnight that does not exist (America/Santiago, 2026-09-06: 00:00 → 01:00)', () => {
    expect(localDayStart(at('2026-09-06T12:00:00Z'), 'America/Santiago')).toEqual(at('2026-09-06T04:00:00Z'));
    expect(localDayStart(at('2026-09-06T03:59:00Z'), 'America/Santiago')).toEqual(at('2026-09-05T04:00:00Z'));
  });
});
