import { Injectable, Logger } from '@nestjs/common';

/** Rows whose outcome was just recorded, as the alert bookkeeping needs them. */
export interface SettledDeliveries {
  /** Alerts with at least one email among these rows accepted by SMTP. */
  alertsWithSends: string[];
  /** Alerts of which this instance holds no row any more: they may be complete. */
  alertsIdleHere: string[];
}

type Listener = (settled: SettledDeliveries) => Promise<void>;

/**
 * What the outbox tells the rest of the service, so that it needs to know
 * nothing about them: "these deliveries settled". Alerts listen to keep their
 * progress; the outbox does not wait for, nor fail on, what a listener does.
 */
@Injectable()
export class DeliveryEvents {
  private readonly logger = new Logger(DeliveryEvents.name);
  private readonly listeners: Listener[] = [];

  onSettled(listener: Listener): void {
    this.listeners.push(listener);
  }

  async settled(settled: SettledDeliveries): Promise<void> {
    if (settled.alertsWithSends.length === 0 && settled.alertsIdleHere.length === 0) return;
    for (const listener of this.listeners) {
      await listener(settled).catch((error: Error) => this.logger.warn({ err: error.message, msg: 'a listener of settled deliveries failed; the next settle or the fan-out catches up' }));
    }
  }
}
