import { SessionRateLimit } from './session-rate-limit';

describe(SessionRateLimit.name, () => {
  it('allows a client its sessions per minute, then refuses until the minute has passed', () => {
    let now = 0;
    const sut = new SessionRateLimit(2, () => now);
    expect([sut.allow('a'), sut.allow('a'), sut.allow('a'), sut.allow('b')]).toEqual([true, true, false, true]);
    now = 60_001;
    expect(sut.allow('a')).toBe(true);
  });
});
