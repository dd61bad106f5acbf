import fc from 'fast-check';
import { IANAZone } from 'luxon';
import {
  assertDigestPrefs,
  digestWindow,
  DigestPrefs,
  latestSlotAtOrBefore,
  nextSlotAfter,
  periodKey,
} from './schedule';

function aDaily(overrides: Partial<DigestPrefs> = {}): DigestPrefs {
  return { frequency: 'daily', sendHour: 7, timezone: 'UTC', weekday: 1, ...overrides };
}

function aWeekly(overrides: Partial<DigestPrefs> = {}): DigestPrefs {
  return { frequency: 'weekly', sendHour: 7, timezone: 'UTC', weekday: 1, ...overrides };
}

const at = (iso: string) => new Date(iso);
const iso = (date: Date) => date.toISOString().replace('.000Z', 'Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe(latestSlotAtOrBefore.name, () => {
  const sut = (prefs: DigestPrefs, when: string) => iso(latestSlotAtOrBefore(prefs, at(when)));

  describe('daily in UTC', () => {
    it('is today at sendHour once sendHour has passed', () => {
      expect(sut(aDaily(), '2027-03-17T12:00:00Z')).toBe('2027-03-17T07:00:00Z');
    });

    it('is yesterday at sendHour before sendHour', () => {
      expect(sut(aDaily(), '2027-03-17T06:59:59.999Z')).toBe('2027-03-16T07:00:00Z');
    });

    it('is the instant itself when it falls exactly on a slot', () => {
      expect(sut(aDaily(), '2027-03-17T07:00:00Z')).toBe('2027-03-17T07:00:00Z');
    });

    it('handles sendHour 0 and 23', () => {
      expect(sut(aDaily({ sendHour: 0 }), '2027-03-17T00:00:00Z')).toBe('2027-03-17T00:00:00Z');
      expect(sut(aDaily({ sendHour: 0 }), '2027-03-16T23:59:59Z')).toBe('2027-03-16T00:00:00Z');
      expect(sut(aDaily({ sendHour: 23 }), '2027-03-17T22:59:59Z')).toBe('2027-03-16T23:00:00Z');
      expect(sut(aDaily({ sendHour: 23 }), '2027-03-17T23:00:00Z')).toBe('2027-03-17T23:00:00Z');
    });

    it('crosses month and year boundaries', () => {
      expect(sut(aDaily(), '2027-01-01T03:00:00Z')).toBe('2026-12-31T07:00:00Z');
      expect(sut(aDaily(), '2028-03-01T03:00:00Z')).toBe('2028-02-29T07:00:00Z');
    });
  });

  describe('daily in zones without daylight saving time', () => {
    it('uses the +05:30 offset of Asia/Kolkata', () => {
      expect(sut(aDaily({ timezone: 'Asia/Kolkata' }), '2027-06-15T12:00:00Z')).toBe('2027-06-15T01:30:00Z');
    });

    it('puts a midnight slot in Asia/Kolkata on the previous UTC day', () => {
      expect(sut(aDaily({ timezone: 'Asia/Kolkata', sendHour: 0 }), '2027-01-01T12:00:00Z')).toBe('2026-12-31T18:30:00Z');
    });

    it('uses the +05:45 offset of Asia/Kathmandu', () => {
      expect(sut(aDaily({ timezone: 'Asia/Kathmandu', sendHour: 23 }), '2027-06-16T12:00:00Z')).toBe('2027-06-15T17:15:00Z');
      expect(sut(aDaily({ timezone: 'Asia/Kathmandu', sendHour: 23 }), '2027-06-16T17:15:00Z')).toBe('2027-06-16T17:15:00Z');
    });
  });

  describe('Europe/Paris across the 2027 changes', () => {
    const paris = (sendHour: number) => aDaily({ timezone: 'Europe/Paris', sendHour });

    it('is 07:00 CET (06:00Z) in winter and 07:00 CEST (05:00Z) in summer', () => {
      expect(sut(paris(7), '2027-03-27T12:00:00Z')).toBe('2027-03-27T06:00:00Z');
      expect(sut(paris(7), '2027-03-28T12:00:00Z')).toBe('2027-03-28T05:00:00Z');
    });

    it('moves a 02:00 slot to 03:00 when 02:00 does not exist (spring forward, 2027-03-28)', () => {
      expect(sut(paris(2), '2027-03-28T12:00:00Z')).toBe('2027-03-28T01:00:00Z');
      expect(sut(paris(2), '2027-03-28T00:59:59Z')).toBe('2027-03-27T01:00:00Z');
    });

    it('keeps 03:00 at 03:00 on the spring-forward day', () => {
      expect(sut(paris(3), '2027-03-28T12:00:00Z')).toBe('2027-03-28T01:00:00Z');
    });

    it('takes the first 02:00 when it happens twice (fall back, 2027-10-31)', () => {
      expect(sut(paris(2), '2027-10-31T12:00:00Z')).toBe('2027-10-31T00:00:00Z');
      expect(sut(paris(2), '2027-10-31T01:30:00Z')).toBe('2027-10-31T00:00:00Z');
    });

    it('is 07:00 CET on the fall-back day', () => {
      expect(sut(paris(7), '2027-10-31T12:00:00Z')).toBe('2027-10-31T06:00:00Z');
    });
  });

  describe('America/New_York across the 2027 changes', () => {
    const newYork = (sendHour: number) => aDaily({ timezone: 'America/New_York', sendHour });

    it('moves 02:00 to 03:00 EDT on 2027-03-14', () => {
      expect(sut(newYork(2), '2027-03-14T12:00:00Z')).toBe('2027-03-14T07:00:00Z');
    });

    it('takes 01:00 EDT, not 01:00 EST, on 2027-11-07', () => {
      expect(sut(newYork(1), '2027-11-07T12:00:00Z')).toBe('2027-11-07T05:00:00Z');
    });

    it('handles sendHour 0 and 23 in both seasons', () => {
      expect(sut(newYork(0), '2027-01-15T12:00:00Z')).toBe('2027-01-15T05:00:00Z');
      expect(sut(newYork(0), '2027-07-15T12:00:00Z')).toBe('2027-07-15T04:00:00Z');
      expect(sut(newYork(23), '2027-01-15T12:00:00Z')).toBe('2027-01-15T04:00:00Z');
      expect(sut(newYork(23), '2027-07-15T12:00:00Z')).toBe('2027-07-15T03:00:00Z');
    });
  });

  describe('Australia/Sydney (southern hemisphere) across the 2027 changes', () => {
    const sydney = (sendHour: number) => aDaily({ timezone: 'Australia/Sydney', sendHour });

    it('takes the first 02:00 (AEDT) when clocks go back on 2027-04-04', () => {
      expect(sut(sydney(2), '2027-04-04T12:00:00Z')).toBe('2027-04-03T15:00:00Z');
    });

    it('moves 02:00 to 03:00 AEDT when clocks go forward on 2027-10-03', () => {
      expect(sut(sydney(2), '2027-10-03T12:00:00Z')).toBe('2027-10-02T16:00:00Z');
    });
  });

  describe('zones whose clocks change at other times', () => {
    it('moves to the end of a 30-minute gap (Australia/Lord_Howe)', () => {
      expect(sut(aDaily({ timezone: 'Australia/Lord_Howe', sendHour: 2 }), '2027-10-03T12:00:00Z')).toBe('2027-10-02T15:30:00Z');
    });

    it('moves a midnight slot to 01:00 when midnight is skipped (America/Havana)', () => {
      expect(sut(aDaily({ timezone: 'America/Havana', sendHour: 0 }), '2027-03-14T12:00:00Z')).toBe('2027-03-14T05:00:00Z');
    });

    it('survives a skipped calendar day (Pacific/Apia, 2011-12-30)', () => {
      expect(sut(aDaily({ timezone: 'Pacific/Apia', sendHour: 5 }), '2011-12-31T12:00:00Z')).toBe('2011-12-30T15:00:00Z');
    });
  });

  describe('weekly', () => {
    // 2027-03-17 is a Wednesday.
    it.each([
      [1, '2027-03-15T07:00:00Z'],
      [2, '2027-03-16T07:00:00Z'],
      [3, '2027-03-17T07:00:00Z'],
      [4, '2027-03-11T07:00:00Z'],
      [5, '2027-03-12T07:00:00Z'],
      [6, '2027-03-13T07:00:00Z'],
      [7, '2027-03-14T07:00:00Z'],
    ])('on ISO weekday %i is %s', (weekday, slot) => {
      expect(sut(aWeekly({ weekday }), '2027-03-17T12:00:00Z')).toBe(slot);
    });

    it('is last week when today is the weekday but sendHour has not come', () => {
      expect(sut(aWeekly({ weekday: 3 }), '2027-03-17T06:00:00Z')).toBe('2027-03-10T07:00:00Z');
    });

    it('uses the local weekday, not the UTC one', () => {
      // Monday 00:30 in Kolkata is still Sunday in UTC.
      expect(sut(aWeekly({ timezone: 'Asia/Kolkata', weekday: 1, sendHour: 0 }), '2027-03-14T19:00:00Z')).toBe('2027-03-14T18:30:00Z');
    });

    it('applies the DST rules on the weekday (Paris, Sunday 02:00 on 2027-03-28)', () => {
      expect(sut(aWeekly({ timezone: 'Europe/Paris', weekday: 7, sendHour: 2 }), '2027-03-30T00:00:00Z')).toBe('2027-03-28T01:00:00Z');
    });
  });
});

describe(nextSlotAfter.name, () => {
  const sut = (prefs: DigestPrefs, when: string) => iso(nextSlotAfter(prefs, at(when)));

  it('is strictly after: a slot instant gives the following slot', () => {
    expect(sut(aDaily(), '2027-03-17T07:00:00Z')).toBe('2027-03-18T07:00:00Z');
    expect(sut(aDaily(), '2027-03-17T06:59:59.999Z')).toBe('2027-03-17T07:00:00Z');
  });

  it('handles sendHour 23 and 0', () => {
    expect(sut(aDaily({ sendHour: 23 }), '2027-12-31T23:00:00Z')).toBe('2028-01-01T23:00:00Z');
    expect(sut(aDaily({ sendHour: 0 }), '2027-12-31T23:00:00Z')).toBe('2028-01-01T00:00:00Z');
  });

  it('steps over the Paris spring-forward gap', () => {
    const paris = aDaily({ timezone: 'Europe/Paris', sendHour: 2 });
    expect(sut(paris, '2027-03-27T12:00:00Z')).toBe('2027-03-28T01:00:00Z');
    expect(sut(paris, '2027-03-28T01:00:00Z')).toBe('2027-03-29T00:00:00Z');
  });

  it('never schedules the repeated hour a second time after fall back', () => {
    const paris = aDaily({ timezone: 'Europe/Paris', sendHour: 2 });
    expect(sut(paris, '2027-10-31T00:00:00Z')).toBe('2027-11-01T01:00:00Z');
    const newYork = aDaily({ timezone: 'America/New_York', sendHour: 1 });
    expect(sut(newYork, '2027-11-07T05:00:00Z')).toBe('2027-11-08T06:00:00Z');
  });

  it('steps over the Sydney changes', () => {
    const sydney = aDaily({ timezone: 'Australia/Sydney', sendHour: 2 });
    expect(sut(sydney, '2027-04-03T15:00:00Z')).toBe('2027-04-04T16:00:00Z');
    expect(sut(sydney, '2027-10-01T17:00:00Z')).toBe('2027-10-02T16:00:00Z');
  });

  // 2027-03-17 is a Wednesday.
  it.each([
    [1, '2027-03-22T07:00:00Z'],
    [2, '2027-03-23T07:00:00Z'],
    [3, '2027-03-24T07:00:00Z'],
    [4, '2027-03-18T07:00:00Z'],
    [5, '2027-03-19T07:00:00Z'],
    [6, '2027-03-20T07:00:00Z'],
    [7, '2027-03-21T07:00:00Z'],
  ])('weekly on ISO weekday %i is %s', (weekday, slot) => {
    expect(sut(aWeekly({ weekday }), '2027-03-17T12:00:00Z')).toBe(slot);
  });

  it('weekly: today, when today is the weekday and sendHour is still to come', () => {
    expect(sut(aWeekly({ weekday: 3 }), '2027-03-17T06:00:00Z')).toBe('2027-03-17T07:00:00Z');
  });

  it('weekly: seven days of wall clock apart across a DST change, not 168 hours', () => {
    const paris = aWeekly({ timezone: 'Europe/Paris', weekday: 1, sendHour: 7 });
    expect(sut(paris, '2027-03-22T06:00:00Z')).toBe('2027-03-29T05:00:00Z');
  });
});

describe(periodKey.name, () => {
  const sut = periodKey;

  it('is the local date for daily digests', () => {
    expect(sut(aDaily(), at('2027-03-17T07:00:00Z'))).toBe('2027-03-17');
    expect(sut(aDaily({ timezone: 'Asia/Kolkata', sendHour: 0 }), at('2026-12-31T18:30:00Z'))).toBe('2027-01-01');
    expect(sut(aDaily({ timezone: 'America/New_York', sendHour: 23 }), at('2027-01-16T04:00:00Z'))).toBe('2027-01-15');
  });

  it('is the ISO week for weekly digests', () => {
    expect(sut(aWeekly({ weekday: 3 }), at('2027-03-17T07:00:00Z'))).toBe('2027-W11');
  });

  it('uses the ISO week-year at a year boundary', () => {
    // Friday 2027-01-01 belongs to ISO week 53 of 2026; Monday 2029-12-31 to week 1 of 2030.
    expect(sut(aWeekly({ weekday: 5 }), at('2027-01-01T07:00:00Z'))).toBe('2026-W53');
    expect(sut(aWeekly({ weekday: 1 }), at('2029-12-31T07:00:00Z'))).toBe('2030-W01');
    expect(sut(aWeekly({ weekday: 1 }), at('2027-01-04T07:00:00Z'))).toBe('2027-W01');
  });

  it('is the same whatever the sendHour, so moving it never sends a second digest that day', () => {
    const keys = [0, 7, 12, 23].map((sendHour) => {
      const prefs = aDaily({ timezone: 'Europe/Paris', sendHour });
      return sut(prefs, latestSlotAtOrBefore(prefs, at('2027-06-15T21:30:00Z')));
    });
    expect(new Set(keys)).toEqual(new Set(['2027-06-15']));
  });

  it('is the same whatever the weekday within one ISO week', () => {
    const keys = [1, 2, 3, 4, 5, 6, 7].map((weekday) => sut(aWeekly({ weekday }), at(`2027-03-${14 + weekday}T07:00:00Z`)));
    expect(new Set(keys)).toEqual(new Set(['2027-W11']));
  });

  it('keeps the day of a slot pushed to the next hour by a gap', () => {
    expect(sut(aDaily({ timezone: 'Europe/Paris', sendHour: 2 }), at('2027-03-28T01:00:00Z'))).toBe('2027-03-28');
    expect(sut(aDaily({ timezone: 'America/Havana', sendHour: 0 }), at('2027-03-14T05:00:00Z'))).toBe('2027-03-14');
  });
});

describe(digestWindow.name, () => {
  const sut = (prefs: DigestPrefs, slot: string) => {
    const window = digestWindow(prefs, at(slot));
    return { from: iso(window.from), to: iso(window.to) };
  };

  it('covers the 24 hours up to a daily slot', () => {
    expect(sut(aDaily(), '2027-03-17T07:00:00Z')).toEqual({ from: '2027-03-16T07:00:00Z', to: '2027-03-17T07:00:00Z' });
  });

  it('covers the 7 days up to a weekly slot', () => {
    expect(sut(aWeekly({ weekday: 3 }), '2027-03-17T07:00:00Z')).toEqual({
      from: '2027-03-10T07:00:00Z',
      to: '2027-03-17T07:00:00Z',
    });
  });

  it('is still 24 hours on a 23-hour day', () => {
    expect(sut(aDaily({ timezone: 'Europe/Paris' }), '2027-03-28T05:00:00Z')).toEqual({
      from: '2027-03-27T05:00:00Z',
      to: '2027-03-28T05:00:00Z',
    });
  });

  it('reaches back to the previous slot on a 25-hour day, so no article falls between two digests', () => {
    expect(sut(aDaily({ timezone: 'Europe/Paris' }), '2027-10-31T06:00:00Z')).toEqual({
      from: '2027-10-30T05:00:00Z',
      to: '2027-10-31T06:00:00Z',
    });
    expect(sut(aWeekly({ timezone: 'Europe/Paris', weekday: 1 }), '2027-11-01T06:00:00Z')).toEqual({
      from: '2027-10-25T05:00:00Z',
      to: '2027-11-01T06:00:00Z',
    });
  });

  it('chains: each window starts where the previous one ended, or earlier', () => {
    const prefs = aDaily({ timezone: 'America/New_York', sendHour: 1 });
    let slot = latestSlotAtOrBefore(prefs, at('2027-11-01T00:00:00Z'));
    for (let i = 0; i < 14; i++) {
      const next = nextSlotAfter(prefs, slot);
      expect(digestWindow(prefs, next).from.getTime()).toBeLessThanOrEqual(slot.getTime());
      slot = next;
    }
  });
});

describe(assertDigestPrefs.name, () => {
  it.each<[string, Partial<DigestPrefs>]>([
    ['an unknown frequency', { frequency: 'hourly' as DigestPrefs['frequency'] }],
    ['sendHour 24', { sendHour: 24 }],
    ['sendHour -1', { sendHour: -1 }],
    ['a fractional sendHour', { sendHour: 7.5 }],
    ['weekday 0', { weekday: 0 }],
    ['weekday 8', { weekday: 8 }],
    ['an unknown time zone', { timezone: 'Mars/Olympus_Mons' }],
    ['an offset instead of a zone', { timezone: '+02:00' }],
  ])('refuses %s', (_, overrides) => {
    expect(() => assertDigestPrefs(aDaily(overrides))).toThrow(RangeError);
    expect(() => latestSlotAtOrBefore(aDaily(overrides), at('2027-01-01T00:00:00Z'))).toThrow(RangeError);
  });

  it('refuses an invalid date', () => {
    expect(() => nextSlotAfter(aDaily(), new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe('schedule properties', () => {
  // Hundreds of cases each, on a shared machine: allow more than Jest's 5 s default.
  jest.setTimeout(60_000);

  const zones = [
    'UTC',
    'Europe/Paris',
    'America/New_York',
    'Asia/Kolkata',
    'Asia/Kathmandu',
    'Australia/Sydney',
    'Australia/Lord_Howe',
    'America/St_Johns',
    'America/Havana',
    'America/Santiago',
    'Pacific/Chatham',
    'Europe/Dublin',
    'Africa/Casablanca',
    'Pacific/Kiritimati',
    'Pacific/Pago_Pago',
  ];
  const prefsArb = fc.record({
    frequency: fc.constantFrom<DigestPrefs['frequency']>('daily', 'weekly'),
    sendHour: fc.integer({ min: 0, max: 23 }),
    timezone: fc.constantFrom(...zones),
    weekday: fc.integer({ min: 1, max: 7 }),
  });
  const instantArb = fc
    .integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) })
    .map((ms) => new Date(ms));
  // DST changes cluster around these dates; draw many instants near them.
  const nearChangeArb = fc
    .tuple(
      fc.constantFrom('2027-03-14', '2027-03-28', '2027-04-04', '2027-10-03', '2027-10-31', '2027-11-07', '2027-04-03', '2027-09-05'),
      fc.integer({ min: -3 * DAY, max: 3 * DAY }),
    )
    .map(([day, delta]) => new Date(Date.parse(`${day}T00:00:00Z`) + delta));
  const whenArb = fc.oneof(instantArb, nearChangeArb);

  const wall = (prefs: DigestPrefs, t: number) => {
    const local = t + IANAZone.create(prefs.timezone).offset(t) * 60_000;
    return new Date(local);
  };

  it('latest ≤ at < next(latest), and next(latest) is next(at)', () => {
    fc.assert(
      fc.property(prefsArb, whenArb, (prefs, when) => {
        const latest = latestSlotAtOrBefore(prefs, when);
        const next = nextSlotAfter(prefs, latest);
        return (
          latest.getTime() <= when.getTime() &&
          when.getTime() < next.getTime() &&
          next.getTime() === nextSlotAfter(prefs, when).getTime()
        );
      }),
      { numRuns: 300 },
    );
  });

  it('a slot is its own latest slot, and the one before it is its predecessor', () => {
    fc.assert(
      fc.property(prefsArb, whenArb, (prefs, when) => {
        const slot = nextSlotAfter(prefs, when);
        const previous = latestSlotAtOrBefore(prefs, new Date(slot.getTime() - 1));
        return (
          latestSlotAtOrBefore(prefs, slot).getTime() === slot.getTime() &&
          nextSlotAfter(prefs, previous).getTime() === slot.getTime()
        );
      }),
      { numRuns: 200 },
    );
  });

  it('slots fall at sendHour:00 local, or right where the clock jumped over it', () => {
    fc.assert(
      fc.property(prefsArb, whenArb, (prefs, when) => {
        const slot = latestSlotAtOrBefore(prefs, when).getTime();
        const local = wall(prefs, slot);
        const onTheHour = local.getUTCHours() === prefs.sendHour && local.getUTCMinutes() === 0 && local.getUTCSeconds() === 0;
        const zone = IANAZone.create(prefs.timezone);
        const afterJump = zone.offset(slot - 1000) < zone.offset(slot);
        return onTheHour || afterJump;
      }),
      { numRuns: 300 },
    );
  });

  it('a slot is the first instant the local clock reads sendHour:00 or later (minute-by-minute check)', () => {
    fc.assert(
      fc.property(prefsArb, nearChangeArb, (prefs, when) => {
        const slot = latestSlotAtOrBefore(prefs, when).getTime();
        const key = periodKey({ ...prefs, frequency: 'daily' }, new Date(slot));
        const target = Date.parse(`${key}T00:00:00Z`) + prefs.sendHour * HOUR;
        if (wall(prefs, slot).getTime() < target) return false;
        for (let t = slot - 60_000; t > slot - 30 * HOUR; t -= 60_000) {
          if (wall(prefs, t).getTime() >= target) return false;
        }
        return true;
      }),
      { numRuns: 50 },
    );
  });

  it('weekly slots fall on the chosen weekday, one per ISO week', () => {
    fc.assert(
      fc.property(prefsArb, whenArb, (prefs, when) => {
        const weekly = { ...prefs, frequency: 'weekly' as const };
        const slot = latestSlotAtOrBefore(weekly, when);
        const day = periodKey({ ...weekly, frequency: 'daily' }, slot);
        const isoWeekday = ((new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;
        const next = nextSlotAfter(weekly, slot);
        return isoWeekday === prefs.weekday && periodKey(weekly, next) !== periodKey(weekly, slot);
      }),
      { numRuns: 200 },
    );
  });

  it('consecutive daily slots are 23 to 25 hours apart and have different period keys', () => {
    fc.assert(
      fc.property(prefsArb, whenArb, (prefs, when) => {
        const daily = { ...prefs, frequency: 'daily' as const };
        const slot = latestSlotAtOrBefore(daily, when);
        const next = nextSlotAfter(daily, slot);
        const gap = next.getTime() - slot.getTime();
        return gap >= 22 * HOUR && gap <= 26 * HOUR && periodKey(daily, slot) !== periodKey(daily, next);
      }),
      { numRuns: 200 },
    );
  });

  it('windows of consecutive slots leave no gap', () => {
    fc.assert(
      fc.property(prefsArb, whenArb, (prefs, when) => {
        const slot = latestSlotAtOrBefore(prefs, when);
        const next = nextSlotAfter(prefs, slot);
        const window = digestWindow(prefs, next);
        const length = prefs.frequency === 'daily' ? DAY : 7 * DAY;
        return (
          window.to.getTime() === next.getTime() &&
          window.from.getTime() <= slot.getTime() &&
          window.from.getTime() <= next.getTime() - length
        );
      }),
      { numRuns: 200 },
    );
  });
});
