import { backoffCeiling, backoffDelay, BackoffPolicy } from './backoff';

const POLICY: BackoffPolicy = { baseMs: 2_000, maxMs: 10_000, minMs: 1_000 };

describe(backoffCeiling.name, () => {
  const sut = (attempt: number) => backoffCeiling(attempt, POLICY);

  it('doubles from the base per failure, up to the cap', () => {
    expect([1, 2, 3, 4, 5].map(sut)).toEqual([2_000, 4_000, 8_000, 10_000, 10_000]);
  });

  it('treats odd attempt numbers as the first failure, and huge ones as capped', () => {
    expect(sut(0)).toBe(2_000);
    expect(sut(-3)).toBe(2_000);
    expect(sut(Number.NaN)).toBe(2_000);
    expect(sut(10_000)).toBe(10_000);
  });

  it('never goes under the minimum', () => {
    expect(backoffCeiling(1, { baseMs: 10, maxMs: 100, minMs: 50 })).toBe(50);
  });
});

describe(backoffDelay.name, () => {
  const sut = (attempt: number, draw: number) => backoffDelay(attempt, POLICY, () => draw);

  it('draws uniformly between the minimum and the ceiling (full jitter)', () => {
    expect(sut(3, 0)).toBe(1_000);
    expect(sut(3, 1)).toBe(8_000);
    expect(sut(3, 0.5)).toBe(4_500);
  });

  it('survives a random source that misbehaves', () => {
    expect(sut(2, Number.NaN)).toBe(1_000);
    expect(sut(2, 7)).toBe(4_000);
    expect(sut(2, -1)).toBe(1_000);
  });
});
