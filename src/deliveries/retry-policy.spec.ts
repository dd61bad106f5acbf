import fc from 'fast-check';
import {
  BASE_DELAY_MS,
  MAX_DELAY_MS,
  MIN_DELAY_MS,
  nextRetryDelay,
  retryCeiling,
} from './retry-policy';

const always = (value: number) => () => value;

describe(nextRetryDelay.name, () => {
  const sut = nextRetryDelay;

  it('waits up to the base delay after the first failure', () => {
    expect(sut(1, always(0.999999))).toBe(BASE_DELAY_MS);
  });

  it('doubles the ceiling with every failure', () => {
    expect([1, 2, 3, 4, 5].map((attempt) => sut(attempt, always(1)))).toEqual([2_000, 4_000, 8_000, 16_000, 32_000]);
  });

  it('never waits longer than 15 minutes', () => {
    expect(sut(10, always(1))).toBe(MAX_DELAY_MS);
    expect(sut(1_000, always(1))).toBe(MAX_DELAY_MS);
    expect(sut(Number.MAX_SAFE_INTEGER, always(1))).toBe(MAX_DELAY_MS);
  });

  it('never retries at once, however small the jitter', () => {
    expect(sut(1, always(0))).toBe(MIN_DELAY_MS);
    expect(sut(7, always(0))).toBe(MIN_DELAY_MS);
  });

  it('spreads retries uniformly between the minimum and the ceiling (full jitter)', () => {
    expect(sut(4, always(0.5))).toBe(Math.round(MIN_DELAY_MS + 0.5 * (16_000 - MIN_DELAY_MS)));
  });

  it('gives different delays to deliveries that failed together', () => {
    const draws = [0.1, 0.4, 0.7];
    let i = 0;
    const random = () => draws[i++];
    const delays = draws.map(() => sut(6, random));
    expect(new Set(delays).size).toBe(3);
  });

  it('treats nonsense attempts as the first failure instead of throwing', () => {
    for (const attempt of [0, -3, Number.NaN, Number.NEGATIVE_INFINITY, 1.7]) {
      expect(sut(attempt, always(1))).toBe(BASE_DELAY_MS);
    }
  });

  it('tolerates a random source outside [0, 1)', () => {
    expect(sut(3, always(-1))).toBe(MIN_DELAY_MS);
    expect(sut(3, always(7))).toBe(8_000);
    expect(sut(3, always(Number.NaN))).toBe(MIN_DELAY_MS);
  });

  it('uses Math.random by default', () => {
    const delay = sut(3);
    expect(delay).toBeGreaterThanOrEqual(MIN_DELAY_MS);
    expect(delay).toBeLessThanOrEqual(8_000);
  });

  it('always returns a whole number of milliseconds within [minimum, ceiling]', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 100 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
        const delay = sut(attempt, always(r));
        return Number.isInteger(delay) && delay >= MIN_DELAY_MS && delay <= retryCeiling(attempt);
      }),
    );
  });
});

describe(retryCeiling.name, () => {
  it('is monotonic and capped', () => {
    const ceilings = Array.from({ length: 30 }, (_, i) => retryCeiling(i + 1));
    expect(ceilings).toEqual([...ceilings].sort((a, b) => a - b));
    expect(Math.max(...ceilings)).toBe(MAX_DELAY_MS);
  });
});
