import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/config';
import { MailTransport } from '../mail/mail-transport';
import { MAIL_TRANSPORT } from '../mail/mail.module';
import { MetricsService } from '../metrics/metrics.service';
import { SuppressionRepository } from '../suppression/suppression.repository';
import { nextRetryDelay, shouldGiveUp } from './retry-policy';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliveryComposer, OutgoingMessage } from './delivery-composer';
import { ClaimedDelivery } from './delivery.types';
import { ineligibilityReason } from './eligibility';
import { AlertProgressRepository } from './alert-progress.repository';

const IDLE_POLL_MS = 200;
const ERROR_BACKOFF_MS = 2000;
/** Sent rows are recorded at least this often, which bounds what a crash can leave uncertain. */
const SENT_FLUSH_SIZE = 50;

/**
 * Drains the outbox: claim → re-check eligibility → compose → send → record.
 * Each row ends as sent, skipped, failed, or queued again with a backoff;
 * nothing here decides *whether* someone should get mail, only delivers it.
 */
@Injectable()
export class DeliveryWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DeliveryWorker.name);
  private running = false;
  private loop?: Promise<void>;
  private wakeUp?: () => void;
  private readonly concurrency: number;

  constructor(
    private readonly deliveries: DeliveriesRepository,
    private readonly composer: DeliveryComposer,
    private readonly suppression: SuppressionRepository,
    private readonly alertProgress: AlertProgressRepository,
    private readonly metrics: MetricsService,
    @Inject(MAIL_TRANSPORT) private readonly transport: MailTransport,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.concurrency = config.smtp.poolSize * 4;
  }

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Stop claiming, finish what is in flight, give back what was claimed but not started. */
  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  /** Called after new rows are committed, so an alert does not wait for the next poll. */
  wake(): void {
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const rows = await this.deliveries.claim(this.config.deliveryBatchSize, this.config.deliveryLeaseSeconds);
        if (rows.length === 0) {
          await this.idle(IDLE_POLL_MS);
          continue;
        }
        await this.process(rows);
      } catch (error) {
        this.logger.error({ err: (error as Error).message, msg: 'delivery loop failed; backing off' });
        await this.idle(ERROR_BACKOFF_MS);
      }
    }
  }

  private async process(rows: ClaimedDelivery[]): Promise<void> {
    const eligible: ClaimedDelivery[] = [];
    for (const row of rows) {
      const reason = ineligibilityReason(row);
      if (reason) {
        await this.deliveries.markSkipped(row.id, reason);
        this.metrics.deliveriesSkipped.inc({ kind: row.kind });
      } else {
        eligible.push(row);
      }
    }
    const messages = await this.composer.compose(eligible);
    const sent: ClaimedDelivery[] = [];
    const flush = async () => {
      const batch = sent.splice(0, sent.length);
      if (batch.length === 0) return;
      await this.deliveries.markSent(batch.map((row) => row.id));
      await this.suppression.resetSoftBounces(uniqueIds(batch.map((row) => row.subscriberId)));
      await this.recordAlertProgress(batch);
    };

    let next = 0;
    const unstarted: bigint[] = [];
    const lane = async () => {
      while (next < eligible.length) {
        const row = eligible[next++];
        if (!this.running) {
          unstarted.push(row.id);
          continue;
        }
        const message = messages.get(row.id);
        if (!message) {
          await this.deliveries.markFailed(row.id, 'an article it delivers no longer exists');
          continue;
        }
        if (await this.send(row, message)) {
          sent.push(row);
          if (sent.length >= SENT_FLUSH_SIZE) await flush();
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, eligible.length) }, lane));
    await flush();
    await this.deliveries.release(unstarted);
  }

  /** Returns true when SMTP accepted the message; every other outcome is recorded here. */
  private async send(row: ClaimedDelivery, message: OutgoingMessage): Promise<boolean> {
    const kind = { kind: row.kind };
    if (row.wasUncertain) this.metrics.uncertainResends.inc(kind);
    const stopTimer = this.metrics.smtpLatency.startTimer();
    const outcome = await this.transport.send({ from: message.from, to: message.to }, message.raw, message.messageId);
    stopTimer();
    switch (outcome.status) {
      case 'sent':
        this.metrics.deliveriesSent.inc(kind);
        return true;
      case 'transient':
        if (shouldGiveUp(row.attempts)) {
          await this.deliveries.markFailed(row.id, `gave up after ${row.attempts} attempts: ${outcome.error}`);
          this.metrics.deliveriesFailed.inc(kind);
        } else {
          await this.deliveries.markRetry(row.id, nextRetryDelay(row.attempts), outcome.error);
          this.metrics.deliveriesRetried.inc(kind);
        }
        await this.recordAlertProgress([row]);
        return false;
      case 'permanent':
        await this.deliveries.markFailed(row.id, outcome.error);
        this.metrics.deliveriesFailed.inc(kind);
        if (outcome.hardBounce) await this.suppression.suppress(message.to, `hard bounce: ${outcome.error}`);
        else if (row.subscriberId) await this.suppression.recordSoftBounce(row.subscriberId, message.to, outcome.error);
        this.logger.warn({ deliveryId: String(row.id), kind: row.kind, hardBounce: outcome.hardBounce, msg: 'delivery failed permanently' });
        await this.recordAlertProgress([row]);
        return false;
    }
  }

  private async recordAlertProgress(rows: readonly ClaimedDelivery[]): Promise<void> {
    await this.settleAlerts(uniqueIds(rows.map((row) => row.alertId)));
  }

  /**
   * Brings the alerts' status up to date with their deliveries (queued → sending → sent).
   * Public because the fan-out settles an alert whose emails all went before it finished.
   */
  async settleAlerts(alertIds: readonly string[]): Promise<void> {
    if (alertIds.length === 0) return;
    const progress = await this.alertProgress.record(alertIds);
    for (const { firstSendLatencySeconds, lastSendLatencySeconds } of progress) {
      if (firstSendLatencySeconds !== null) this.metrics.alertLatency.observe({ edge: 'first' }, firstSendLatencySeconds);
      if (lastSendLatencySeconds !== null) this.metrics.alertLatency.observe({ edge: 'last' }, lastSendLatencySeconds);
    }
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
  }
}

function uniqueIds(ids: readonly (string | null)[]): string[] {
  return [...new Set(ids.filter((id): id is string => id !== null))];
}
