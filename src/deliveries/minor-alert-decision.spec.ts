import {
  capDayStart,
  DAILY_CAP_REACHED,
  decideMinorAlert,
  decideMinorAlerts,
  HELD_TOO_LONG,
  MinorAlertRow,
  needsSentToday,
  readerLimitsApply,
  sentTodayCounts,
} from './minor-alert-decision';

const at = (iso: string) => new Date(iso);

function aMinorAlert(overrides: Partial<MinorAlertRow> = {}): MinorAlertRow {
  return {
    kind: 'alert',
    wasUncertain: false,
    subscriberId: 'ann',
    alertPriority: 'minor',
    alertTest: false,
    alertCreatedAt: at('2026-06-01T21:30:00Z'),
    alertSendAt: null,
    createdAt: at('2026-06-01T21:30:00Z'),
    timezone: 'UTC',
    quietHoursStart: null,
    quietHoursEnd: null,
    maxAlertsPerDay: null,
    ...overrides,
  };
}

const nightOwl = { quietHoursStart: 22, quietHoursEnd: 7 };

describe(readerLimitsApply.name, () => {
  it('applies to minor alert emails only', () => {
    expect(readerLimitsApply(aMinorAlert())).toBe(true);
    expect(readerLimitsApply(aMinorAlert({ alertPriority: 'major' }))).toBe(false);
    expect(readerLimitsApply(aMinorAlert({ alertTest: true }))).toBe(false);
    expect(readerLimitsApply(aMinorAlert({ kind: 'push' }))).toBe(false);
    expect(readerLimitsApply(aMinorAlert({ kind: 'digest', alertPriority: null, alertTest: null }))).toBe(false);
  });

  it('asks for a count of today’s alerts only for readers with a cap', () => {
    expect(needsSentToday(aMinorAlert())).toBe(false);
    expect(needsSentToday(aMinorAlert({ maxAlertsPerDay: 3 }))).toBe(true);
    expect(needsSentToday(aMinorAlert({ maxAlertsPerDay: 3, alertPriority: 'major' }))).toBe(false);
  });
});

describe(decideMinorAlert.name, () => {
  const sut = decideMinorAlert;
  const lateEvening = at('2026-06-01T22:30:00Z');

  it('sends a minor alert outside quiet hours', () => {
    expect(sut(aMinorAlert(nightOwl), at('2026-06-01T21:45:00Z'), 0)).toEqual({ action: 'go' });
  });

  it('holds a minor alert in quiet hours until they end', () => {
    expect(sut(aMinorAlert(nightOwl), lateEvening, 0)).toEqual({ action: 'hold', until: at('2026-06-02T07:00:00Z') });
  });

  it('holds by the reader’s own clock, across a daylight saving change', () => {
    const paris = aMinorAlert({ ...nightOwl, timezone: 'Europe/Paris', alertCreatedAt: at('2026-03-28T21:00:00Z'), createdAt: at('2026-03-28T21:00:00Z') });
    // 22:30 CET on the night Paris moves to summer time: 07:00 CEST is 05:00 UTC.
    expect(sut(paris, at('2026-03-28T21:30:00Z'), 0)).toEqual({ action: 'hold', until: at('2026-03-29T05:00:00Z') });
  });

  it('sends major and test alerts at once, quiet hours or not, whatever the cap', () => {
    expect(sut(aMinorAlert({ ...nightOwl, maxAlertsPerDay: 1, alertPriority: 'major' }), lateEvening, 5)).toEqual({ action: 'go' });
    expect(sut(aMinorAlert({ ...nightOwl, maxAlertsPerDay: 1, alertTest: true }), lateEvening, 5)).toEqual({ action: 'go' });
  });

  it('sends push rows at once: push subscriptions have no quiet hours', () => {
    expect(sut(aMinorAlert({ ...nightOwl, kind: 'push' }), lateEvening, 0)).toEqual({ action: 'go' });
  });

  it('resends an uncertain row as it was: it may already be in the inbox', () => {
    expect(sut(aMinorAlert({ ...nightOwl, wasUncertain: true }), lateEvening, 0)).toEqual({ action: 'go' });
  });

  describe('the 12-hour limit', () => {
    it('holds an alert that is exactly 12 hours old when quiet hours end', () => {
      const row = aMinorAlert({ ...nightOwl, alertCreatedAt: at('2026-06-01T19:00:00Z') });
      expect(sut(row, lateEvening, 0)).toEqual({ action: 'hold', until: at('2026-06-02T07:00:00Z') });
    });

    it('drops an alert that would be older than 12 hours when quiet hours end', () => {
      const row = aMinorAlert({ ...nightOwl, alertCreatedAt: at('2026-06-01T18:59:59Z') });
      expect(sut(row, lateEvening, 0)).toEqual({ action: 'skip', reason: HELD_TOO_LONG });
    });

    it('counts a scheduled alert’s age from its time, not from when it was written', () => {
      const row = aMinorAlert({ ...nightOwl, alertCreatedAt: at('2026-05-30T10:00:00Z'), alertSendAt: at('2026-06-01T22:00:00Z') });
      expect(sut(row, lateEvening, 0)).toEqual({ action: 'hold', until: at('2026-06-02T07:00:00Z') });
    });

    it('drops at once when quiet hours last longer than 12 hours', () => {
      const row = aMinorAlert({ quietHoursStart: 8, quietHoursEnd: 22, alertCreatedAt: at('2026-06-01T08:00:00Z') });
      expect(sut(row, at('2026-06-01T08:00:00Z'), 0)).toEqual({ action: 'skip', reason: HELD_TOO_LONG });
    });
  });

  describe('the daily cap', () => {
    const capped = aMinorAlert({ maxAlertsPerDay: 2 });
    const noon = at('2026-06-01T12:00:00Z');

    it('sends while the reader had fewer minor alerts today than their cap', () => {
      expect(sut(capped, noon, 1)).toEqual({ action: 'go' });
    });

    it('drops once the cap is reached', () => {
      expect(sut(capped, noon, 2)).toEqual({ action: 'skip', reason: DAILY_CAP_REACHED });
      expect(sut(capped, noon, 3)).toEqual({ action: 'skip', reason: DAILY_CAP_REACHED });
    });

    it('holds rather than drops in quiet hours: the alert counts towards the day it is delivered in', () => {
      expect(sut({ ...capped, ...nightOwl }, lateEvening, 2)).toEqual({ action: 'hold', until: at('2026-06-02T07:00:00Z') });
    });

    it('counts from the start of the reader’s local day', () => {
      // 23:30 in New York on 1 June is 03:30 UTC on 2 June: the day began at 04:00 UTC on 1 June.
      expect(capDayStart({ timezone: 'America/New_York' }, at('2026-06-02T03:30:00Z'))).toEqual(at('2026-06-01T04:00:00Z'));
      expect(capDayStart({ timezone: 'America/New_York' }, at('2026-06-02T04:00:00Z'))).toEqual(at('2026-06-02T04:00:00Z'));
      // A day of 23 hours when the clocks go forward.
      expect(capDayStart({ timezone: 'Europe/Paris' }, at('2026-03-29T22:00:00Z'))).toEqual(at('2026-03-29T22:00:00Z'));
      expect(capDayStart({ timezone: 'Europe/Paris' }, at('2026-03-29T21:59:59Z'))).toEqual(at('2026-03-28T23:00:00Z'));
    });

    it('reads a time zone that no longer parses as UTC rather than failing the claim', () => {
      expect(capDayStart({ timezone: 'Mars/Olympus_Mons' }, at('2026-06-01T12:00:00Z'))).toEqual(at('2026-06-01T00:00:00Z'));
      expect(sut({ ...capped, ...nightOwl, timezone: 'Mars/Olympus_Mons' }, lateEvening, 0)).toEqual({ action: 'hold', until: at('2026-06-02T07:00:00Z') });
    });
  });
});

describe(decideMinorAlerts.name, () => {
  const sut = decideMinorAlerts;
  const noon = at('2026-06-01T12:00:00Z');

  it('never takes a reader past their cap within one claim', () => {
    const rows = [1, 2, 3, 4].map(() => aMinorAlert({ maxAlertsPerDay: 3 }));
    const decided = sut(rows, noon, new Map([['ann', 1]]));
    expect(decided.go).toEqual(rows.slice(0, 2));
    expect(decided.skip.get(DAILY_CAP_REACHED)).toEqual(rows.slice(2));
  });

  it('counts each reader apart, and never counts major alerts', () => {
    const ann = aMinorAlert({ maxAlertsPerDay: 1 });
    const annMajor = aMinorAlert({ maxAlertsPerDay: 1, alertPriority: 'major' });
    const bob = aMinorAlert({ subscriberId: 'bob', maxAlertsPerDay: 1 });
    const decided = sut([annMajor, ann, bob], noon, new Map());
    expect(decided.go).toEqual([annMajor, ann, bob]);
  });

  it('groups holds by their end', () => {
    const paris = aMinorAlert({ ...nightOwl, subscriberId: 'paris', timezone: 'Europe/Paris', alertCreatedAt: at('2026-06-01T21:00:00Z') });
    const utc = aMinorAlert({ ...nightOwl, subscriberId: 'utc', alertCreatedAt: at('2026-06-01T21:00:00Z') });
    const utc2 = { ...utc, subscriberId: 'utc2' };
    const decided = sut([paris, utc, utc2], at('2026-06-01T22:30:00Z'), new Map());
    expect(decided.go).toEqual([]);
    expect(decided.hold).toEqual(
      new Map([
        [at('2026-06-02T05:00:00Z').getTime(), [paris]],
        [at('2026-06-02T07:00:00Z').getTime(), [utc, utc2]],
      ]),
    );
  });
});

describe(sentTodayCounts.name, () => {
  const sut = sentTodayCounts;
  const inHand = (id: number, overrides: Partial<MinorAlertRow> = {}) => ({ ...aMinorAlert(overrides), id: BigInt(id) });

  it('adds the minor alerts let through here and not yet recorded to those the database has, each row once', () => {
    const recorded = new Map([['ann', [1n, 2n]]]);
    const counts = sut(['ann', 'bob'], recorded, [inHand(2), inHand(3), inHand(4, { subscriberId: 'bob' }), inHand(5, { subscriberId: 'bob', alertPriority: 'major' })]);
    expect(counts).toEqual(new Map([['ann', 3], ['bob', 1]]));
  });

  it('counts only the readers asked about', () => {
    expect(sut(['ann'], new Map(), [inHand(1, { subscriberId: 'cy' })])).toEqual(new Map([['ann', 0]]));
  });
});
