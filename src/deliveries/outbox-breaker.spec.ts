import { OutboxBreaker } from './outbox-breaker';

describe(OutboxBreaker.name, () => {
  it('is closed until something cannot be reached', () => {
    const sut = new OutboxBreaker();

    expect(sut.paused).toBeNull();
    expect(sut.probeDue(0)).toBe(false);
  });

  it('pauses with the reason, and probes a second later', () => {
    const sut = new OutboxBreaker();
    sut.trip('relay', 'ECONNREFUSED', 1_000);

    expect(sut.paused).toEqual({ reason: 'relay', since: new Date(1_000), error: 'ECONNREFUSED' });
    expect(sut.probeDue(1_999)).toBe(false);
    expect(sut.probeDue(2_000)).toBe(true);
  });

  it('probes the database every 2 s while it stays away', () => {
    const sut = new OutboxBreaker();
    sut.trip('database', 'down', 0);
    sut.probeFailed('still down', 1_000);
    sut.probeFailed('still down', 3_000);

    expect(sut.untilProbe(3_000)).toBe(2_000);
  });

  it('probes the relay less often while failures go on, never less than every 30 s', () => {
    const sut = new OutboxBreaker();
    sut.trip('relay', 'down', 0);
    const gaps: number[] = [];
    let now = 1_000;
    for (let i = 0; i < 8; i++) {
      sut.probeFailed('still down', now);
      gaps.push(sut.untilProbe(now));
      now += sut.untilProbe(now);
    }

    expect(gaps).toEqual([2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000, 30_000]);
  });

  it('lets the database outrank the relay as the reason: nothing can be recorded without it', () => {
    const sut = new OutboxBreaker();
    sut.trip('relay', 'ECONNREFUSED', 0);
    sut.trip('database', 'connection terminated', 10);
    sut.trip('relay', 'ECONNREFUSED', 20);

    expect(sut.paused?.reason).toBe('database');
    expect(sut.paused?.since).toEqual(new Date(0));
  });

  it('resumes at the first success and says for how long it was paused', () => {
    const sut = new OutboxBreaker();
    sut.trip('database', 'down', 1_000);

    expect(sut.close(46_000)).toBe(45_000);
    expect(sut.paused).toBeNull();
    expect(sut.close(47_000)).toBeNull();
  });
});
