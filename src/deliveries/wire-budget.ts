/**
 * How many emails may be "at risk" at once: handed to SMTP, or accepted and not yet
 * recorded. Should the process die, or the database go silent long enough for another
 * instance to take the leases over, exactly these may be sent again, so they are kept
 * to the SMTP connections in use: a crash duplicates at most what was on the wire,
 * never a batch. A slot is taken before a send and given back once its outcome is
 * recorded (or the send never happened).
 */
export class WireBudget {
  private used = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly size: number) {}

  get atRisk(): number {
    return this.used;
  }

  async take(): Promise<void> {
    if (this.used < this.size) {
      this.used += 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  giveBack(count = 1): void {
    for (let i = 0; i < count; i++) {
      const next = this.waiting.shift();
      // A waiter inherits the slot: `used` stays as it is.
      if (next) next();
      else this.used = Math.max(0, this.used - 1);
    }
  }

  /** Lets every waiter go (shutdown): they find the worker stopped and leave. */
  release(): void {
    for (const next of this.waiting.splice(0)) next();
  }
}
