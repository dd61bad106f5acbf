import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/config';
import { MetricsService } from '../metrics/metrics.service';
import { SuppressionRepository } from '../suppression/suppression.repository';
import { PushSubscriptionsRepository } from '../push/push-subscriptions.repository';
import { AlertRowsInHand } from './alert-rows-in-hand';
import { DeliveryEvents } from './delivery-events';
import { DeliveryOutcomesRepository } from './delivery-outcomes.repository';
import { ClaimedDelivery } from './delivery.types';
import { SendDecision } from './send-decision';
import { WireBudget } from './wire-budget';

const RETRY_FLUSH_MS = 1_000;

/**
 * Writes what became of claimed rows, and says so: metrics, suppression after a
 * bounce, and the "settled" event. Every write names the row's claim, so a row whose
 * lease was taken over is left to its new holder.
 *
 * Sent rows are recorded by a flusher that runs whenever there are any, taking all
 * that arrived meanwhile in one statement, so no sender waits for the database. Until
 * its row is recorded, an accepted email holds its slot of the wire budget: however
 * the process dies, at most one email per SMTP connection is left sent-but-unrecorded
 * (and so resent once as uncertain).
 */
@Injectable()
export class DeliveryRecorder {
  private readonly logger = new Logger(DeliveryRecorder.name);
  /** Accepted by SMTP, not yet recorded: renewed with the rest, recorded by the flusher. */
  readonly unrecorded: ClaimedDelivery[] = [];
  readonly inHand = new AlertRowsInHand();
  readonly budget: WireBudget;
  private flushing?: Promise<void>;
  private stopped = false;
  /** Told when a write failed for want of a database: the outbox pauses. */
  onDatabaseError: (error: Error) => void = () => undefined;

  constructor(
    private readonly outcomes: DeliveryOutcomesRepository,
    private readonly suppression: SuppressionRepository,
    private readonly events: DeliveryEvents,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly pushSubscriptions: PushSubscriptionsRepository,
  ) {
    this.budget = new WireBudget(config.smtp.poolSize);
  }

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

  /** Minor alerts held for their readers' quiet hours: queued again until `until` of each, and no longer in hand. */
  async postponed(rows: readonly (ClaimedDelivery & { until: Date })[]): Promise<void> {
    if (rows.length === 0) return;
    await this.outcomes.markHeld(rows);
    for (const row of rows) {
      this.metrics.deliveriesHeld.inc({ kind: row.kind });
      this.logger.debug({ deliveryId: String(row.id), kind: row.kind, heldUntil: row.until.toISOString(), msg: 'minor alert held for quiet hours' });
    }
    await this.letGo(rows);
  }

  /**
   * Applies one decision about a row that held a slot of the wire budget; the slot is
   * given back once the outcome is written (for a sent row, by the flusher).
   */
  async record(row: ClaimedDelivery, decision: SendDecision, address: string): Promise<void> {
    if (decision.mark === 'sent') {
      this.metrics.deliveriesSent.inc({ kind: row.kind });
      this.unrecorded.push(row);
      void this.flush();
      return;
    }
    try {
      await this.write(row, decision, address);
    } finally {
      this.budget.giveBack();
    }
  }

  private async write(row: ClaimedDelivery, decision: Exclude<SendDecision, { mark: 'sent' }>, address: string): Promise<void> {
    const kind = { kind: row.kind };
    const log = { deliveryId: String(row.id), kind: row.kind, attempt: row.attempts };
    switch (decision.mark) {
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
      case 'expired':
        await this.outcomes.markFailed(row, decision.error);
        this.metrics.deliveriesFailed.inc(kind);
        // Its other queued pushes find it gone when they are claimed, and are skipped.
        if (row.pushSubscriptionId) await this.pushSubscriptions.remove(row.pushSubscriptionId);
        this.logger.log({ ...log, err: decision.error, msg: 'push subscription expired at its push service; removed' });
        break;
    }
    await this.letGo([row]);
  }

  /** Records whatever is still unrecorded and stops retrying on its own. */
  async stop(): Promise<void> {
    this.stopped = true;
    // A flush already running may have checked for rows just before the last sender added one.
    await this.flushing;
    await this.flush();
    this.budget.release();
  }

  /** One flush at a time; whatever is sent meanwhile goes into the next round, so rounds grow with the send rate. */
  private flush(): Promise<void> {
    this.flushing ??= this.recordSent().finally(() => {
      this.flushing = undefined;
      if (this.unrecorded.length > 0 && !this.stopped) void this.flush();
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
      this.budget.giveBack(batch.length);
      const lost = batch.filter((row) => !recorded.has(row.id));
      if (lost.length > 0) {
        this.logger.warn({ rows: lost.length, msg: 'sent deliveries whose lease was taken over meanwhile: their new holder records them' });
      }
      const alertsWithSends = [...new Set(batch.flatMap((row) => (row.alertId !== null && recorded.has(row.id) ? [row.alertId] : [])))];
      await this.events.settled({ alertsWithSends, alertsIdleHere: this.inHand.release(batch) });
    }
  }
}
