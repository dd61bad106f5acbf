import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service';
import { SuppressionRepository } from '../suppression/suppression.repository';
import { AlertRowsInHand } from './alert-rows-in-hand';
import { DeliveryEvents } from './delivery-events';
import { DeliveryOutcomesRepository } from './delivery-outcomes.repository';
import { ClaimedDelivery } from './delivery.types';
import { SendDecision } from './send-decision';

/** Sent rows are recorded at least this often, which bounds what a crash can leave uncertain. */
const SENT_FLUSH_SIZE = 50;
/** …and at the latest this long after they were sent, so a trickle is recorded promptly too. */
const SENT_FLUSH_DELAY_MS = 50;
const RETRY_FLUSH_MS = 1_000;

/**
 * Writes what became of claimed rows, and says so: metrics, suppression after a
 * bounce, and the "settled" event. Sent rows are recorded in bulk by a flusher so
 * that no sender waits for the database; every other outcome is written at once.
 * Every write names the row's claim, so a row whose lease was taken over is left
 * to its new holder.
 */
@Injectable()
export class DeliveryRecorder {
  private readonly logger = new Logger(DeliveryRecorder.name);
  /** Accepted by SMTP, not yet recorded: renewed with the rest, recorded by the flusher. */
  readonly unrecorded: ClaimedDelivery[] = [];
  readonly inHand = new AlertRowsInHand();
  private flushing?: Promise<void>;
  private flushTimer?: NodeJS.Timeout;
  private stopped = false;
  /** Told when a write failed for want of a database: the outbox pauses. */
  onDatabaseError: (error: Error) => void = () => undefined;

  constructor(
    private readonly outcomes: DeliveryOutcomesRepository,
    private readonly suppression: SuppressionRepository,
    private readonly events: DeliveryEvents,
    private readonly metrics: MetricsService,
  ) {}

  held(rows: readonly ClaimedDelivery[]): void {
    this.inHand.hold(rows);
  }

  /** Rows let go without an outcome (released, dropped): only the bookkeeping changes. */
  async letGo(rows: readonly ClaimedDelivery[]): Promise<void> {
    await this.events.settled({ alertsWithSends: [], alertsIdleHere: this.inHand.release(rows) });
  }

  async skipped(byReason: ReadonlyMap<string, ClaimedDelivery[]>, msg: string): Promise<void> {
    for (const [reason, rows] of byReason) {
      await this.outcomes.markSkipped(rows, reason);
      for (const row of rows) {
        this.metrics.deliveriesSkipped.inc({ kind: row.kind });
        this.logger.debug({ deliveryId: String(row.id), kind: row.kind, reason, msg });
      }
    }
    await this.letGo([...byReason.values()].flat());
  }

  /** Applies one decision; a sent row is queued for the flusher. */
  async record(row: ClaimedDelivery, decision: SendDecision, address: string): Promise<void> {
    const kind = { kind: row.kind };
    const log = { deliveryId: String(row.id), kind: row.kind, attempt: row.attempts };
    switch (decision.mark) {
      case 'sent':
        this.metrics.deliveriesSent.inc(kind);
        this.unrecorded.push(row);
        this.flushSoon();
        return;
      case 'released':
        return;
      case 'retry':
        await this.outcomes.markDueAgain(row, 'queued', decision.retryAt, decision.error);
        this.metrics.deliveriesRetried.inc(kind);
        this.logger.log({ ...log, retryAt: decision.retryAt.toISOString(), err: decision.error, msg: 'delivery will be retried' });
        break;
      case 'uncertain':
        await this.outcomes.markDueAgain(row, 'uncertain', decision.retryAt, decision.error);
        this.metrics.deliveriesUnknown.inc(kind);
        this.logger.warn({ ...log, err: decision.error, msg: 'no reply after the final dot: the server may have the email; it is resent once with the same Message-ID' });
        break;
      case 'failed':
        await this.outcomes.markFailed(row, decision.error);
        this.metrics.deliveriesFailed.inc(kind);
        if (decision.suppress === 'hard') await this.suppression.suppress(address, `hard bounce: ${decision.error}`);
        else if (decision.suppress === 'soft' && row.subscriberId) await this.suppression.recordSoftBounce(row.subscriberId, address, decision.error);
        this.logger.warn({ ...log, suppress: decision.suppress, err: decision.error, msg: 'delivery failed' });
        break;
    }
    await this.letGo([row]);
  }

  /** Records whatever is still unrecorded and stops flushing on its own. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.flushTimer);
    // A flush already running may have checked for rows just before the last sender added one.
    await this.flushing;
    await this.flush();
  }

  private flushSoon(): void {
    if (this.unrecorded.length >= SENT_FLUSH_SIZE) {
      void this.flush();
      return;
    }
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush();
    }, SENT_FLUSH_DELAY_MS);
  }

  /** One flush at a time; whatever is sent meanwhile goes into the next round, so rounds grow with the send rate. */
  private flush(): Promise<void> {
    this.flushing ??= this.recordSent().finally(() => {
      this.flushing = undefined;
      if (this.unrecorded.length > 0 && !this.stopped) this.flushSoon();
    });
    return this.flushing;
  }

  private async recordSent(): Promise<void> {
    while (this.unrecorded.length > 0) {
      // Copied, and taken off the list only once recorded: new sends are appended behind them.
      // (Putting a failed batch back with unshift(...batch) overflows the stack once a long
      // database outage has let tens of thousands of sent rows pile up.)
      const batch = this.unrecorded.slice();
      let recorded: Set<bigint>;
      try {
        recorded = await this.outcomes.markSent(batch);
      } catch (error) {
        // Kept, renewed with the rest and retried; should the process die first, the rows come back as uncertain (resent once, counted).
        this.logger.error({ rows: batch.length, err: (error as Error).message, msg: 'recording sent deliveries failed; retrying' });
        this.onDatabaseError(error as Error);
        if (this.stopped) return;
        await sleep(RETRY_FLUSH_MS);
        continue;
      }
      this.unrecorded.splice(0, batch.length);
      const lost = batch.filter((row) => !recorded.has(row.id));
      if (lost.length > 0) {
        this.logger.warn({ rows: lost.length, msg: 'sent deliveries whose lease was taken over meanwhile: their new holder records them' });
      }
      const alertsWithSends = [...new Set(batch.flatMap((row) => (row.alertId !== null && recorded.has(row.id) ? [row.alertId] : [])))];
      await this.events.settled({ alertsWithSends, alertsIdleHere: this.inHand.release(batch) });
    }
  }
}
