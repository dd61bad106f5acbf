/**
 * A wake-up call for loops that wait for work: `wait()` resolves at the next
 * `notify()` or after the timeout, whichever comes first. A notify with nobody
 * waiting is not remembered; callers re-check their state after every wait.
 */
export class Signal {
  private waiters = new Set<() => void>();

  wait(timeoutMs?: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      if (timeoutMs !== undefined) timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
    });
  }

  notify(): void {
    const waiting = [...this.waiters];
    for (const done of waiting) done();
  }

  get waiting(): number {
    return this.waiters.size;
  }
}
