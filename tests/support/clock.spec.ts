import { MovableClock } from './clock';

describe(MovableClock.name, () => {
  it('stands still at the instant it was given, and moves only when told', () => {
    const clock = new MovableClock(new Date('2027-01-10T05:00:00Z'));
    expect(clock.now()).toEqual(new Date('2027-01-10T05:00:00Z'));
    clock.advance(90_000);
    expect(clock.now()).toEqual(new Date('2027-01-10T05:01:30Z'));
    clock.set(new Date('2027-01-11T07:00:00Z'));
    expect(clock.now()).toEqual(new Date('2027-01-11T07:00:00Z'));
  });

  it('follows real time plus what it was advanced by, until reset', () => {
    const clock = new MovableClock();
    clock.advance(3_600_000);
    expect(Math.abs(clock.now().getTime() - (Date.now() + 3_600_000))).toBeLessThan(1_000);
    clock.reset();
    expect(Math.abs(clock.now().getTime() - Date.now())).toBeLessThan(1_000);
  });
});
