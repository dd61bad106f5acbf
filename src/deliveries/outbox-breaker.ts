import { backoffCeiling } from '../common/backoff';

/** What the outbox cannot reach while it is paused. */
export type PauseReason = 'relay' | 'database';

export interface PauseState {
  reason: PauseReason;
  since: Date;
  /** The last error that opened or kept the breaker open (no address in it). */
  error: string;
}

const FIRST_PROBE_MS = 1_000;
/** Probe gaps: doubling from 1 s, never more than 30 s (no jitter: one probe per instance). */
const PROBES = { baseMs: 2 * FIRST_PROBE_MS, maxMs: 30_000, minMs: FIRST_PROBE_MS };
const DATABASE_PROBE_MS = 2_000;

/**
 * A circuit breaker for the whole outbox. While the relay or the database cannot be
 * reached, sending anything is pointless (and, without the database, unsafe: nothing
 * could be recorded), so the outbox pauses as a whole instead of spending every
 * email's attempts. It probes a second later, then the relay with growing gaps (to
 * 30 s) and the database every 2 s, and resumes at the first success. Plain state with
 * the time passed in, so it is tested without timers.
 */
export class OutboxBreaker {
  private state: PauseState | null = null;
  private probes = 0;
  private nextProbe = 0;

  get paused(): PauseState | null {
    return this.state;
  }

  /** Opens (or keeps open) the breaker; the first probe comes a second later. */
  trip(reason: PauseReason, error: string, now: number): void {
    if (this.state === null) {
      this.state = { reason, since: new Date(now), error };
      this.probes = 0;
      this.nextProbe = now + FIRST_PROBE_MS;
      return;
    }
    // The database decides first: with it gone, nothing can be recorded whatever the relay does.
    if (reason === 'database') this.state = { ...this.state, reason };
    this.state = { ...this.state, error };
  }

  /** True when a probe is due; the caller probes and reports with probeFailed or close. */
  probeDue(now: number): boolean {
    return this.state !== null && now >= this.nextProbe;
  }

  /** Milliseconds until the next probe (0 when closed or due). */
  untilProbe(now: number): number {
    return this.state === null ? 0 : Math.max(0, this.nextProbe - now);
  }

  /**
   * The relay is probed less and less often (each probe is an SMTP session, maybe a
   * login); the database every 2 s, as a SELECT 1 costs it nothing and every second
   * paused after it is back is a second of mail not sent.
   */
  probeFailed(error: string, now: number): void {
    if (this.state === null) return;
    this.state = { ...this.state, error };
    this.probes += 1;
    this.nextProbe = now + (this.state.reason === 'database' ? DATABASE_PROBE_MS : backoffCeiling(this.probes, PROBES));
  }

  /** Resumes; returns how long the outbox was paused, or null when it was not. */
  close(now: number): number | null {
    if (this.state === null) return null;
    const pausedMs = now - this.state.since.getTime();
    this.state = null;
    return pausedMs;
  }
}
