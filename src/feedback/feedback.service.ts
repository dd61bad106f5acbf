import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/config';
import { Clock } from '../common/clock';
import { DeliveryLookup, FeedbackTarget } from '../deliveries/delivery-feedback.repository';
import { BounceReferences } from '../mail/bounce-reference';
import { MetricsService } from '../metrics/metrics.service';
import { SubscriptionsService } from '../subscriptions/subscriptions.service';
import { SuppressionRepository } from '../suppression/suppression.repository';
import { FeedbackEvent, FeedbackOutcome } from './feedback-event';
import { FeedbackEventsRepository, RecordedEffect } from './feedback-events.repository';
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
    const lookup = this.lookupOf(event);
    if (lookup === null) return this.reject(event, 'bad reference');
    const recorded = await this.events.record(event, lookup, this.recordedEffect(event));
    if (recorded.status === 'unknown message') return this.reject(event, 'unknown message');
    const target = recorded.target;
    if (recorded.status === 'recipient mismatch') return this.reject(event, 'recipient mismatch', target.id);
    if (recorded.status === 'duplicate') {
      this.metrics.feedbackRejected.inc({ source: event.source, reason: 'duplicate' });
      return { status: 'duplicate' };
    }
    try {
      await this.laterEffect(event, target);
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

  /** The delivery an event names, or null for a bounce reference that does not verify. */
  private lookupOf(event: FeedbackEvent): DeliveryLookup | null {
    const { target } = event;
    if ('reference' in target) {
      // No fall-back to the recipient or a quoted Message-ID: an unverified reference names nothing.
      const id = this.references.deliveryOf(target.reference);
      return id === null ? null : { id };
    }
    return 'messageId' in target ? { messageId: target.messageId } : { recipient: target.recipient.trim() };
  }

  /** What the recording statement itself does when the event is new: everything but what other modules' services own. */
  private recordedEffect(event: FeedbackEvent): RecordedEffect {
    const at = this.clock.now();
    switch (event.type) {
      case 'hard':
        return { at, suppressReason: `hard bounce ${event.status ?? ''} (${event.source})`.replace('  ', ' '), mark: 'bounced' };
      case 'complaint':
        // The reason is ours to write: a report's own words (its Feedback-Type) stay out of it beyond a known few.
        return { at, suppressReason: `complaint (${event.source})`, mark: 'complained' };
      default:
        return { at };
    }
  }

  /** After the event is recorded: a complaint unsubscribes, soft bounces make a streak, a delivery ends one. */
  private async laterEffect(event: FeedbackEvent, target: FeedbackTarget): Promise<void> {
    switch (event.type) {
      case 'hard':
        return;
      case 'soft': {
        if (!target.subscriberId || !target.email) return;
        const streak = await this.events.addSoftBounce(target.subscriberId, target.id, this.clock.now());
        if (streakSuppresses(streak, this.softBounces)) {
          await this.suppression.suppress(target.email, `${streak.count} soft bounces in a row since ${streak.firstAt.toISOString()} (${event.source})`);
          this.logger.log({ subscriberId: target.subscriberId, softBounces: streak.count, msg: 'address suppressed after soft bounces' });
        }
        return;
      }
      case 'complaint':
        if (target.subscriberId) await this.subscriptions.unsubscribeAfterComplaint(target.subscriberId);
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
