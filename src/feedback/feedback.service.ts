import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/config';
import { Clock } from '../common/clock';
import { DeliveryFeedbackRepository, FeedbackTarget } from '../deliveries/delivery-feedback.repository';
import { BounceReferences } from '../mail/bounce-reference';
import { MetricsService } from '../metrics/metrics.service';
import { SubscriptionsService } from '../subscriptions/subscriptions.service';
import { SuppressionRepository } from '../suppression/suppression.repository';
import { FeedbackEvent, FeedbackOutcome } from './feedback-event';
import { FeedbackEventsRepository } from './feedback-events.repository';
import { SoftBouncePolicy, streakSuppresses } from './soft-bounce-streak';

/**
 * The one pipeline every bounce, complaint and relay event goes through, whichever adapter
 * heard it: find the email it is about → check the report is about that reader → record the
 * event once → apply its effect. An event that fails a check is counted and changes nothing.
 */
@Injectable()
export class FeedbackService {
  private readonly logger = new Logger(FeedbackService.name);
  private readonly softBounces: SoftBouncePolicy;

  constructor(
    private readonly deliveries: DeliveryFeedbackRepository,
    private readonly events: FeedbackEventsRepository,
    private readonly suppression: SuppressionRepository,
    private readonly subscriptions: SubscriptionsService,
    private readonly references: BounceReferences,
    private readonly metrics: MetricsService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.softBounces = { limit: config.bounces.softBounceLimit, days: config.bounces.softBounceDays };
  }

  /** Applies each event; throws only when the database fails (the sender then retries, and nothing was half-done). */
  async apply(events: readonly FeedbackEvent[]): Promise<FeedbackOutcome[]> {
    const outcomes: FeedbackOutcome[] = [];
    for (const event of events) outcomes.push(await this.applyOne(event));
    return outcomes;
  }

  /** Something arrived that could not be read at all: counted, so it is never silently lost. */
  rejectUnreadable(source: FeedbackEvent['source'], reason: string): void {
    this.metrics.feedbackRejected.inc({ source, reason: 'unparseable' });
    this.logger.warn({ source, reason, msg: 'delivery feedback could not be read' });
  }

  private async applyOne(event: FeedbackEvent): Promise<FeedbackOutcome> {
    const found = await this.find(event);
    if ('rejected' in found) return this.reject(event, found.rejected);
    const target = found.target;
    if (event.recipient && target.email && event.recipient.trim().toLowerCase() !== target.email.toLowerCase()) {
      return this.reject(event, 'recipient mismatch', target.id);
    }
    if (!(await this.events.record(event, target.id))) {
      this.metrics.feedbackRejected.inc({ source: event.source, reason: 'duplicate' });
      return { status: 'duplicate' };
    }
    try {
      await this.effect(event, target);
    } catch (error) {
      await this.events.forget(event.key).catch(() => undefined);
      throw error;
    }
    this.count(event, target);
    this.logger.log({
      deliveryId: String(target.id),
      kind: target.kind,
      source: event.source,
      type: event.type,
      status: event.status,
      feedbackType: event.complaintKind?.slice(0, 20),
      msg: 'delivery feedback applied',
    });
    return { status: 'applied', deliveryId: target.id };
  }

  private async find(event: FeedbackEvent): Promise<{ target: FeedbackTarget } | { rejected: 'unknown message' | 'bad reference' }> {
    const { target } = event;
    if ('reference' in target) {
      // No fall-back to the recipient or a quoted Message-ID: an unverified reference names nothing.
      const id = this.references.deliveryOf(target.reference);
      if (id === null) return { rejected: 'bad reference' };
      const found = await this.deliveries.byId(id);
      return found ? { target: found } : { rejected: 'unknown message' };
    }
    const found = 'messageId' in target ? await this.deliveries.byMessageId(target.messageId) : await this.deliveries.latestTo(target.recipient.trim());
    return found ? { target: found } : { rejected: 'unknown message' };
  }

  private async effect(event: FeedbackEvent, target: FeedbackTarget): Promise<void> {
    const now = this.clock.now();
    switch (event.type) {
      case 'hard':
        if (target.email) await this.suppression.suppress(target.email, `hard bounce ${event.status ?? ''} (${event.source})`.replace('  ', ' '));
        await this.deliveries.mark(target.id, 'bounced', now);
        return;
      case 'soft': {
        if (!target.subscriberId || !target.email) return;
        const streak = await this.events.addSoftBounce(target.subscriberId, target.id, now);
        if (streakSuppresses(streak, this.softBounces)) {
          await this.suppression.suppress(target.email, `${streak.count} soft bounces in a row since ${streak.firstAt.toISOString()} (${event.source})`);
          this.logger.log({ subscriberId: target.subscriberId, softBounces: streak.count, msg: 'address suppressed after soft bounces' });
        }
        return;
      }
      case 'complaint':
        // The reason is ours to write: a report's own words (its Feedback-Type) stay out of it beyond a known few.
        if (target.email) await this.suppression.suppress(target.email, `complaint (${event.source})`);
        if (target.subscriberId) await this.subscriptions.unsubscribeAfterComplaint(target.subscriberId);
        await this.deliveries.mark(target.id, 'complained', now);
        return;
      case 'delivered':
        if (target.subscriberId) await this.events.endStreak(target.subscriberId);
        return;
    }
  }

  /** Complaints by the kind of email complained about, so a rate per digest and per alert is complaints ÷ sent of that kind. */
  private count(event: FeedbackEvent, target: FeedbackTarget): void {
    if (event.type === 'hard' || event.type === 'soft') this.metrics.bounces.inc({ type: event.type, source: event.source });
    else if (event.type === 'complaint') this.metrics.complaints.inc({ kind: target.kind, source: event.source });
  }

  private reject(event: FeedbackEvent, reason: 'unknown message' | 'bad reference' | 'recipient mismatch', deliveryId?: bigint): FeedbackOutcome {
    this.metrics.feedbackRejected.inc({ source: event.source, reason });
    this.logger.warn({ source: event.source, type: event.type, reason, deliveryId: deliveryId === undefined ? undefined : String(deliveryId), msg: 'delivery feedback rejected' });
    return { status: 'rejected', reason };
  }
}
