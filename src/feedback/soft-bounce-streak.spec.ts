import { nextStreak, STREAK_GAP_MS, streakSuppresses } from './soft-bounce-streak';

const DAY = 24 * 60 * 60 * 1000;
const start = new Date('2026-12-01T07:00:00Z');
const day = (n: number) => new Date(start.getTime() + n * DAY);
const policy = { limit: 3, days: 3 };

describe(nextStreak.name, () => {
  it('counts one per delivery, in a row', () => {
    let streak = nextStreak(null, 1n, day(0));
    streak = nextStreak(streak, 1n, day(0.2));
    streak = nextStreak(streak, 2n, day(1));
    expect(streak).toEqual({ count: 2, firstAt: day(0), lastAt: day(1), lastDeliveryId: 2n });
  });

  it('starts over after a long quiet gap', () => {
    const old = nextStreak(nextStreak(null, 1n, day(0)), 2n, day(1));
    expect(nextStreak(old, 3n, new Date(day(1).getTime() + STREAK_GAP_MS + 1))).toMatchObject({ count: 1, lastDeliveryId: 3n });
  });
});

describe(streakSuppresses.name, () => {
  it('suppresses only after several in a row spanning the days', () => {
    let streak = nextStreak(null, 1n, day(0));
    streak = nextStreak(streak, 2n, day(1));
    streak = nextStreak(streak, 3n, day(2));
    expect(streakSuppresses(streak, policy)).toBe(false);
    streak = nextStreak(streak, 4n, day(3));
    expect(streakSuppresses(streak, policy)).toBe(true);
  });

  it('never suppresses for a burst on one day, however many', () => {
    let streak = nextStreak(null, 1n, day(0));
    for (let id = 2n; id < 20n; id += 1n) streak = nextStreak(streak, id, day(0.01 * Number(id)));
    expect(streakSuppresses(streak, policy)).toBe(false);
  });
});
