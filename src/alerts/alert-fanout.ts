import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/config';
import { SubscribersRepository } from '../subscriptions/subscribers.repository';
import { AlertAudienceRepository, AudienceSize, AudienceSpec, FanoutTarget } from './alert-audience.repository';
import { AlertProgress } from './alert-progress';
import { AlertsRepository, LeasedAlert } from './alerts.repository';
import { RelatedToAlert } from './related-to-alert';

/** Rows per fan-out slice: the first slice is sending while the next is written. */
const FANOUT_SLICE = 2000;
/** Written before the fan-out is handed to the background: small, so the first email leaves within milliseconds. */
const FIRST_SLICE = 200;
/**
 * A fan-out's lease: renewed with every slice (each takes well under a second), so
 * only a crashed instance's fan-out outlives it and is taken over.
 */
export const FANOUT_LEASE_SECONDS = 30;
const SWEEP_INTERVAL_MS = 15_000;
const SWEEP_LIMIT = 20;

/**
 * Writes an alert's audience to the outbox, slice after slice, under the alert's
 * fan-out lease, recording how far it got. A fan-out a crash interrupted is resumed
 * by exactly one instance (the lease decides), from where it stopped.
 */
@Injectable()
export class AlertFanout implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AlertFanout.name);
  private readonly running = new Map<string, Promise<void>>();
  private sweepTimer?: NodeJS.Timeout;

  constructor(
    private readonly alerts: AlertsRepository,
    private readonly audience: AlertAudienceRepository,
    private readonly related: RelatedToAlert,
    private readonly progress: AlertProgress,
    private readonly subscribers: SubscribersRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.sweepTimer = setInterval(() => void this.resumeStalled(), SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
    void this.resumeStalled();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.sweepTimer);
    await Promise.allSettled(this.running.values());
  }

  /**
   * Fans out an alert whose fan-out the caller holds: an alert sent at once, or a
   * scheduled one at its time. The first slice of each channel is queued before this
   * returns, the audience counted (after those, so counting never delays the first
   * email), and the rest goes on in the background. Returns the audience per channel.
   * A test alert's staff must be prepare()d first.
   */
  async start(alert: Omit<LeasedAlert, 'cursor' | 'article'>, relatedIds: readonly string[]): Promise<AudienceSize> {
    const target: FanoutTarget = { alertId: alert.id, articleId: alert.articleId, tags: alert.tags, channels: alert.channels, test: alert.test, relatedIds };
    // The first emails and the first pushes are written side by side, on two connections.
    const [first, firstPush] = await Promise.all([
      this.audience.queueSlice(target, null, FIRST_SLICE),
      this.audience.queuePushSlice(target, FROM_FIRST_SUBSCRIBER, FIRST_SLICE),
    ]);
    const done = first.last === null && firstPush.last === null;
    const size = done ? { email: first.queued, push: firstPush.queued } : await this.audience.countAudience(target);
    await this.alerts.setRecipients(alert.id, size.email + size.push);
    if (done) await this.completed(alert.id);
    else {
      await this.alerts.advanceFanout(alert.id, first.last, FANOUT_LEASE_SECONDS);
      this.continue(target, { email: first.last, push: firstPush.last });
    }
    return size;
  }

  /** A test alert's staff addresses get their subscriber rows before its audience is counted or written. */
  async prepare(spec: Pick<AudienceSpec, 'test'>): Promise<void> {
    if (spec.test) await this.subscribers.ensureTestRecipients(this.config.alertTestRecipients);
  }

  /** Goes on in the background after `cursors` (the last subscriber and push subscription already queued). */
  continue(target: FanoutTarget, cursors: FanoutCursors): void {
    const promise = this.finish(target, cursors)
      .catch((error: Error) => this.logger.error({ alertId: target.alertId, err: error.message, msg: 'alert fan-out interrupted; another instance resumes it when its lease runs out' }))
      .finally(() => this.running.delete(target.alertId));
    this.running.set(target.alertId, promise);
  }

  /** Settles an alert whose audience was written whole at once. */
  private async completed(alertId: string): Promise<void> {
    await this.alerts.markFannedOut(alertId);
    await this.progress.settle([alertId]);
  }

  private async finish(target: FanoutTarget, cursors: FanoutCursors): Promise<void> {
    let cursor = cursors.email;
    while (cursor !== null) {
      const slice = await this.audience.queueSlice(target, cursor, FANOUT_SLICE);
      if (!(await this.alerts.advanceFanout(target.alertId, slice.last, FANOUT_LEASE_SECONDS))) return;
      cursor = slice.last;
    }
    // Pushes after emails; their cursor is not stored (a null cursor only renews the lease),
    // so a resumed fan-out queues pushes again from the first, which the dedupe keys absorb.
    let pushCursor = cursors.push;
    while (pushCursor !== null) {
      const slice = await this.audience.queuePushSlice(target, pushCursor, FANOUT_SLICE);
      if (!(await this.alerts.advanceFanout(target.alertId, null, FANOUT_LEASE_SECONDS))) return;
      pushCursor = slice.last;
    }
    await this.alerts.markFannedOut(target.alertId);
    // The outbox only calls an alert sent once it is fanned out; if every email went
    // before this point, no later send will settle it, so settle it here.
    await this.progress.settle([target.alertId]);
    this.logger.log({ alertId: target.alertId, msg: 'alert fanned out' });
  }

  /** Takes over fan-outs whose holder stopped renewing them, and goes on from their cursor (every 15 s, and at start-up). */
  async resumeStalled(): Promise<void> {
    try {
      const stalled = await this.alerts.takeStalledFanouts(FANOUT_LEASE_SECONDS, SWEEP_LIMIT);
      for (const alert of stalled) {
        if (this.running.has(alert.id)) continue;
        // Related stories are found again: they may have moved on since, which only changes later slices' footers.
        const relatedIds = await this.related.of({ id: alert.articleId, ...alert.article });
        await this.prepare(alert);
        const target = { alertId: alert.id, articleId: alert.articleId, tags: alert.tags, channels: alert.channels, test: alert.test, relatedIds };
        this.logger.warn({ alertId: alert.id, from: alert.cursor ?? 'the first reader', msg: 'resuming an interrupted alert fan-out' });
        this.continue(target, { email: alert.cursor ?? FROM_FIRST_SUBSCRIBER, push: FROM_FIRST_SUBSCRIBER });
      }
    } catch (error) {
      this.logger.warn({ err: (error as Error).message, msg: 'alert sweep failed; will retry' });
    }
  }
}

/** The nil uuid sorts before every subscriber (and push subscription) id. */
export const FROM_FIRST_SUBSCRIBER = '00000000-0000-0000-0000-000000000000';

/** Where a fan-out goes on from, per channel: the last id already queued, or null once that channel is done. */
export interface FanoutCursors {
  email: string | null;
  push: string | null;
}
