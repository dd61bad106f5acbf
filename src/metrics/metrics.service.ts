import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every metric the service exports, on a registry of its own so that several
 * app instances in one process (tests) never share counters.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly eventsConsumed = this.counter('dispatch_events_consumed_total', 'Article events read from Kafka');
  readonly eventsStored = this.counter('dispatch_events_stored_total', 'Article events stored (inserted or updated)');
  readonly eventsStale = this.counter('dispatch_events_stale_total', 'Article events older (by updatedAt) than the version stored: changed nothing');
  readonly eventsDeadLettered = this.counter('dispatch_events_dlq_total', 'Article events published to the DLQ');
  readonly consumerLag = new Gauge({
    name: 'dispatch_consumer_lag',
    help: "Messages between the group's committed offset and the partition's high watermark, read from the broker",
    labelNames: ['topic', 'partition'],
    registers: [this.registry],
  });
  readonly deliveriesQueued = this.kindCounter('dispatch_deliveries_queued_total', 'Deliveries written to the outbox');
  readonly deliveriesSent = this.kindCounter('dispatch_deliveries_sent_total', 'Deliveries accepted by SMTP');
  readonly deliveriesFailed = this.kindCounter('dispatch_deliveries_failed_total', 'Deliveries failed permanently');
  readonly deliveriesRetried = this.kindCounter('dispatch_deliveries_retried_total', 'Delivery attempts that will be retried');
  readonly deliveriesSkipped = this.kindCounter('dispatch_deliveries_skipped_total', 'Deliveries dropped at claim time (reader no longer eligible)');
  readonly deliveriesHeld = this.kindCounter('dispatch_deliveries_held_total', 'Minor alert emails held at claim time until their reader’s quiet hours end');
  readonly uncertainResends = this.kindCounter(
    'dispatch_deliveries_uncertain_total',
    'Deliveries resent with the same Message-ID because an earlier attempt may have reached the server (no reply after the final dot, or a lease that ran out mid-send)',
  );
  readonly deliveriesUnknown = this.kindCounter(
    'dispatch_deliveries_unknown_total',
    'Attempts whose outcome is unknown: the whole message went out and no reply came back',
  );
  readonly outboxPaused = new Gauge({
    name: 'dispatch_outbox_paused',
    help: '1 while the outbox is paused because the relay (reason="relay") or the database (reason="database") cannot be reached',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly smtpLatency = new Histogram({
    name: 'dispatch_smtp_send_seconds',
    help: 'Time for the SMTP server to accept one message',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly digestRunDuration = new Histogram({
    name: 'dispatch_digest_run_seconds',
    help: 'Time to decide and queue one digest run',
    buckets: [0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120],
    registers: [this.registry],
  });
  readonly alertLatency = new Histogram({
    name: 'dispatch_alert_send_latency_seconds',
    help: 'From alert creation to its first / last message accepted by SMTP',
    labelNames: ['edge'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });

  readonly bounces = new Counter({
    name: 'dispatch_bounces_total',
    help: 'Bounces heard after sending (type hard|soft), by where they came from (smtp, ses, sendgrid, mailgun, postmark)',
    labelNames: ['type', 'source'],
    registers: [this.registry],
  });
  readonly complaints = new Counter({
    name: 'dispatch_complaints_total',
    help: 'Spam complaints heard, by the kind of email complained about (digest, alert, confirm, manage) and by source',
    labelNames: ['kind', 'source'],
    registers: [this.registry],
  });
  readonly bounceReports = new Counter({
    name: 'dispatch_bounce_reports_total',
    help: 'Messages the bounce listener accepted: processed (read as a report or bounce) or unparseable (logged, no effect)',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  readonly feedbackRejected = new Counter({
    name: 'dispatch_feedback_rejected_total',
    help: 'Bounce reports and relay events with no effect, by source and reason (unparseable, unknown message, bad reference, recipient mismatch, duplicate, bad signature)',
    labelNames: ['source', 'reason'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  async render(): Promise<string> {
    return this.registry.metrics();
  }

  private counter(name: string, help: string): Counter {
    return new Counter({ name, help, registers: [this.registry] });
  }

  private kindCounter(name: string, help: string): Counter<'kind'> {
    return new Counter({ name, help, labelNames: ['kind'], registers: [this.registry] });
  }
}
