import { Clock } from '../../src/common/clock';

/**
 * The clock tests move by hand. Stopped at an instant (given to the constructor,
 * or set()) for schedules that must be exact; otherwise real time. Either way
 * advance() moves it on — token expiry and mail windows without waiting — and
 * reset() brings back real time.
 */
export class MovableClock extends Clock {
  private stoppedAt?: number;
  private offsetMs = 0;

  constructor(stoppedAt?: Date) {
    super();
    this.stoppedAt = stoppedAt?.getTime();
  }

  now(): Date {
    return new Date((this.stoppedAt ?? Date.now()) + this.offsetMs);
  }

  /** Stops the clock at `instant`. */
  set(instant: Date): void {
    this.stoppedAt = instant.getTime();
    this.offsetMs = 0;
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  /** Real time again. */
  reset(): void {
    this.stoppedAt = undefined;
    this.offsetMs = 0;
  }
}
