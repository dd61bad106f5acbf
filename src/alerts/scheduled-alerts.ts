import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Clock } from '../common/clock';
import { AlertFanout, FANOUT_LEASE_SECONDS } from './alert-fanout';
import { AlertsRepository } from './alerts.repository';
import { RelatedToAlert } from './related-to-alert';

/** Well inside the 30 s CONTRACT.md allows between an alert's sendAt and its going out. */
const TICK_MS = 5_000;
const TAKEN_PER_TICK = 20;

/**
 * Sends scheduled alerts at their time. Its only state is the database's: an alert
 * waits as `scheduled` until one instance's tick takes it (SKIP LOCKED), so it goes once
 * across instances and still goes after a restart; it then fans out exactly as an
 * alert sent at once. One found more than an hour late is cancelled as missed.
 */
@Injectable()
export class ScheduledAlerts implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ScheduledAlerts.name);
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;

  constructor(
    private readonly alerts: AlertsRepository,
    private readonly fanout: AlertFanout,
    private readonly related: RelatedToAlert,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), TICK_MS);
    this.timer.unref();
    void this.tick();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.ticking;
  }

  /** One round: takes what is due and starts it; never two rounds at once in one instance. */
  tick(): Promise<void> {
    this.ticking ??= this.sendDue().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async sendDue(): Promise<void> {
    try {
      for (;;) {
        const { due, missed } = await this.alerts.takeDueScheduled(this.clock.now(), FANOUT_LEASE_SECONDS, TAKEN_PER_TICK);
        for (const alertId of missed) this.logger.warn({ alertId, msg: 'scheduled alert found more than an hour after its time: not sent, cancelled as missed' });
        for (const alert of due) {
          await this.fanout.prepare(alert);
          const size = await this.fanout.start(alert, await this.related.of({ id: alert.articleId, ...alert.article }));
          this.logger.log({ alertId: alert.id, recipients: size.email + size.push, msg: 'scheduled alert going out' });
        }
        if (due.length + missed.length < TAKEN_PER_TICK) return;
      }
    } catch (error) {
      // An alert taken but not started keeps its lease: the stalled-fan-out sweep resumes it.
      this.logger.warn({ err: (error as Error).message, msg: 'scheduled alerts round failed; will retry' });
    }
  }
}
