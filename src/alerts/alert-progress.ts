import { Injectable, OnModuleInit } from '@nestjs/common';
import { DeliveryEvents, SettledDeliveries } from '../deliveries/delivery-events';
import { MetricsService } from '../metrics/metrics.service';
import { AlertProgressRepository } from './alert-progress.repository';

/** First sends remembered; an alert is looked up again only after this many newer ones. */
const REMEMBERED_FIRST_SENDS = 10_000;

/**
 * Moves alerts along (queued → sending → sent) as their deliveries settle, and
 * observes the first- and last-email latency. Listens to the outbox rather than
 * being called by it; what it remembers only ever skips queries that could not
 * change anything, the database stays the judge.
 */
@Injectable()
export class AlertProgress implements OnModuleInit {
  private readonly firstSends = new Set<string>();

  constructor(
    private readonly events: DeliveryEvents,
    private readonly progress: AlertProgressRepository,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    this.events.onSettled((settled) => this.settled(settled));
  }

  /** Brings the alerts' status up to date, e.g. when the fan-out ends after every email already went. */
  async settle(alertIds: readonly string[]): Promise<void> {
    await this.record(alertIds, alertIds);
  }

  /** Called with alerts that have a recorded send among the rows: after this, their first send is surely recorded. */
  private async settled({ alertsWithSends, alertsIdleHere }: SettledDeliveries): Promise<void> {
    const unknown = alertsWithSends.filter((alertId) => !this.firstSends.has(alertId));
    await this.record(unknown, alertsIdleHere);
    for (const alertId of unknown) this.remember(alertId);
  }

  private async record(firstSends: readonly string[], completions: readonly string[]): Promise<void> {
    // In this order: a completion recorded first would be overwritten by "sending".
    for (const edge of await this.progress.recordFirstSends(firstSends)) this.metrics.alertLatency.observe({ edge: 'first' }, edge.latencySeconds);
    for (const edge of await this.progress.recordCompletions(completions)) this.metrics.alertLatency.observe({ edge: 'last' }, edge.latencySeconds);
  }

  private remember(alertId: string): void {
    this.firstSends.add(alertId);
    if (this.firstSends.size > REMEMBERED_FIRST_SENDS) this.firstSends.delete(this.firstSends.values().next().value as string);
  }
}
