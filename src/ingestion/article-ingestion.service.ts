import { Injectable, Logger } from '@nestjs/common';
import { KafkaMessage } from 'kafkajs';
import { decodeArticleEvent, ArticleEvent } from '../articles/article-event';
import { ArticlesRepository } from '../articles/articles.repository';
import { CreateAlert } from '../alerts/create-alert';
import { latestVersions } from '../articles/article-versions';
import { DlqPublisher, MessageSource, RejectedMessage } from '../kafka/dlq.publisher';
import { MetricsService } from '../metrics/metrics.service';

export interface SourcedMessage {
  message: KafkaMessage;
  source: MessageSource;
}

type SourcedEvent = ArticleEvent & { source: MessageSource };

/**
 * Turns a run of Kafka messages into stored articles: valid events are upserted
 * in one statement, invalid ones are parked in the DLQ with a reason, and an
 * article that arrived breaking is owed exactly one alert. Every step is
 * idempotent, so a redelivered run changes nothing.
 */
@Injectable()
export class ArticleIngestionService {
  private readonly logger = new Logger(ArticleIngestionService.name);

  constructor(
    private readonly articles: ArticlesRepository,
    private readonly alerts: CreateAlert,
    private readonly dlq: DlqPublisher,
    private readonly metrics: MetricsService,
  ) {}

  async ingest(messages: readonly SourcedMessage[]): Promise<void> {
    const valid: SourcedEvent[] = [];
    const rejected: RejectedMessage[] = [];
    for (const { message, source } of messages) {
      const decoded = decodeArticleEvent(message.value);
      if (decoded.ok) valid.push({ ...decoded.article, source });
      else rejected.push({ message, source, reason: decoded.reason });
    }
    this.metrics.eventsConsumed.inc(messages.length);

    if (valid.length > 0) {
      // The same reduction upsertMany makes, to tell which events it will leave out.
      const { latest, stale } = latestVersions(valid);
      const outcomes = await this.articles.upsertMany(valid);
      const stored = new Set(outcomes.map((outcome) => outcome.id));
      stale.push(...latest.map(({ event }) => event).filter((event) => !stored.has(event.id)));
      this.metrics.eventsStored.inc(valid.length - stale.length);
      this.recordStale(stale);
      for (const outcome of outcomes) {
        if (outcome.breakingOnArrival) await this.alerts.ensureBreakingAlert(outcome.id);
      }
    }
    await this.park(rejected);
  }

  /** Stale versions change nothing, but never silently: CONTRACT.md wants them logged and counted. */
  private recordStale(stale: readonly SourcedEvent[]): void {
    if (stale.length === 0) return;
    this.metrics.eventsStale.inc(stale.length);
    for (const { id, updatedAt, source } of stale) {
      this.logger.warn({ topic: source.topic, partition: source.partition, offset: source.offset, articleId: id, updatedAt, msg: 'stale article event: older than the version stored, ignored' });
    }
  }

  /** Whether the article store answers right now (a failure is only blamed on a message if it does). */
  async storeAnswers(): Promise<boolean> {
    try {
      await this.articles.probe();
      return true;
    } catch {
      return false;
    }
  }

  async park(rejected: RejectedMessage[]): Promise<void> {
    if (rejected.length === 0) return;
    await this.dlq.publish(rejected);
    this.metrics.eventsDeadLettered.inc(rejected.length);
    for (const { source, reason } of rejected) {
      this.logger.warn({ topic: source.topic, partition: source.partition, offset: source.offset, reason, msg: 'event sent to DLQ' });
    }
  }
}
