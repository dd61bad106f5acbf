import { Inject, Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/config';
import { PrismaService } from '../database/prisma.service';
import { isUniqueViolation } from '../database/prisma-errors';
import { Clock } from '../common/clock';
import { messageHost } from '../mail/message-host';
import { DeliveryWorker } from '../deliveries/delivery-worker';
import { MetricsService } from '../metrics/metrics.service';
import { RelatedArticlesService } from '../articles/related-articles.service';
import { AlertFanoutRepository, FanoutTarget } from './alert-fanout.repository';

/** Rows per fan-out slice: the first slice is sending while the next is written. */
const FANOUT_SLICE = 2000;
/** Written before the request returns: small, so the first email leaves within milliseconds. */
const FIRST_SLICE = 200;
/** An alert unfinished for this long was interrupted (crash) and is resumed by the sweep. */
const STALLED_AFTER_MS = 30_000;
const SWEEP_INTERVAL_MS = 15_000;
const RELATED_IN_ALERT = 3;
/** The nil uuid sorts before every subscriber id: a resumed fan-out starts over, and slices already written are no-ops. */
const FROM_FIRST_SUBSCRIBER = '00000000-0000-0000-0000-000000000000';

export interface AlertSummary {
  alertId: string;
  recipients: number;
  /** True when the article already had an alert and that one is returned instead. */
  existing: boolean;
}

export interface AlertStatus {
  alertId: string;
  status: 'queued' | 'sending' | 'sent';
  recipients: number;
  sent: number;
  failed: number;
}

export interface CreateAlertCommand {
  articleId: string;
  /** Replaces the article's tags as the audience (narrow or widen). */
  tags?: readonly string[];
  /** The editor key's short id, or "kafka" for a breaking event. */
  sentBy: string;
  /** Send again even though the article was already alerted. */
  resend?: boolean;
}

export class ArticleNotFoundError extends Error {}

/**
 * Breaking alerts: one per article unless an editor asks for a re-send.
 * The alert row is the idempotency key (articleId, sequence); its outbox rows
 * are the audience, written slice by slice right after the alert is created.
 */
@Injectable()
export class AlertsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AlertsService.name);
  private readonly running = new Map<string, Promise<void>>();
  private sweepTimer?: NodeJS.Timeout;

  constructor(
    private readonly prisma: PrismaService,
    private readonly fanout: AlertFanoutRepository,
    private readonly related: RelatedArticlesService,
    private readonly worker: DeliveryWorker,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  onApplicationBootstrap(): void {
    this.sweepTimer = setInterval(() => void this.resumeStalled(STALLED_AFTER_MS), SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
    void this.resumeStalled(0);
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.sweepTimer);
    await Promise.allSettled(this.running.values());
  }

  /**
   * The breaking-event path: the article's first alert, created at most once across
   * redeliveries and instances — the unique (articleId, sequence) decides the race.
   */
  async ensureBreakingAlert(articleId: string): Promise<void> {
    const existing = await this.prisma.alert.findFirst({ where: { articleId }, select: { id: true } });
    if (existing) return;
    await this.create({ articleId, sentBy: 'kafka' });
  }

  /**
   * Creates the article's alert, or returns the existing one unless `resend`.
   * Resolves once the first slice is queued (and the worker woken) and the audience counted;
   * the rest of the fan-out continues in the background.
   */
  async create(input: CreateAlertCommand): Promise<AlertSummary> {
    const [article, previous] = await Promise.all([
      this.prisma.article.findUnique({ where: { id: input.articleId } }),
      this.prisma.alert.findFirst({ where: { articleId: input.articleId }, orderBy: { sequence: 'desc' } }),
    ]);
    if (!article) throw new ArticleNotFoundError(`article "${input.articleId}" does not exist`);
    if (previous && !input.resend) {
      return { alertId: previous.id, recipients: previous.recipients, existing: true };
    }
    const tags = input.tags && input.tags.length > 0 ? [...input.tags] : article.tags;
    // Related stories are read while the alert row is written: both sit before the first email.
    const [created, relatedIds] = await Promise.all([
      this.insertAlert({ articleId: article.id, sequence: previous ? previous.sequence + 1 : 0, tags, sentBy: input.sentBy }),
      this.relatedIds(article),
    ]);
    if (!created) {
      // Another instance (or a redelivered event) created it first: theirs is the alert.
      const winner = await this.prisma.alert.findFirstOrThrow({ where: { articleId: article.id }, orderBy: { sequence: 'desc' } });
      return { alertId: winner.id, recipients: winner.recipients, existing: true };
    }
    const target: FanoutTarget = { alertId: created.id, articleId: article.id, tags, relatedIds, messageHost: messageHost(this.config) };
    const first = await this.fanout.queueSlice(target, null, FIRST_SLICE);
    this.metrics.deliveriesQueued.inc({ kind: 'alert' }, first.queued);
    this.worker.wake();
    // Counted after the first slice is queued, so counting a large audience never delays the first email.
    const recipients = first.last === null ? first.queued : await this.fanout.countAudience(tags);
    await this.prisma.alert.updateMany({ where: { id: created.id, fannedOutAt: null }, data: { recipients } });
    this.continueInBackground(created.id, () => this.finishFanout(target, first.last));
    this.logger.log({ alertId: created.id, articleId: article.id, sentBy: input.sentBy, tags, recipients, msg: 'alert created' });
    return { alertId: created.id, recipients, existing: false };
  }

  async status(alertId: string): Promise<AlertStatus | null> {
    const alert = await this.prisma.alert.findUnique({ where: { id: alertId } });
    if (!alert) return null;
    const counts = await this.prisma.delivery.groupBy({
      by: ['status'],
      where: { alertId, status: { in: ['sent', 'failed'] } },
      _count: { _all: true },
    });
    const count = (status: string) => counts.find((c) => c.status === status)?._count._all ?? 0;
    return { alertId, status: alert.status, recipients: alert.recipients, sent: count('sent'), failed: count('failed') };
  }

  /** Returns null when the (articleId, sequence) is taken: someone else's alert won. */
  private async insertAlert(data: { articleId: string; sequence: number; tags: string[]; sentBy: string }): Promise<{ id: string } | null> {
    try {
      return await this.prisma.alert.create({ data, select: { id: true } });
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }

  private async relatedIds(article: { id: string; tags: string[]; publishedAt: Date }): Promise<string[]> {
    // An article stamped ahead of our clock still finds the stories published around it.
    const now = this.clock.now();
    const at = article.publishedAt > now ? article.publishedAt : now;
    const related = await this.related.relatedTo([article], at, new Set([article.id]), RELATED_IN_ALERT);
    return related.map((a) => a.id);
  }

  private async finishFanout(target: FanoutTarget, after: string | null): Promise<void> {
    let cursor = after;
    while (cursor !== null) {
      const slice = await this.fanout.queueSlice(target, cursor, FANOUT_SLICE);
      this.metrics.deliveriesQueued.inc({ kind: 'alert' }, slice.queued);
      cursor = slice.last;
      if (slice.queued > 0) this.worker.wake();
    }
    await this.fanout.markFannedOut(target.alertId);
    // The worker only calls an alert sent once it is fanned out; if every email went
    // before this point, no later send will settle it, so settle it here.
    await this.worker.settleAlerts([target.alertId]);
    this.logger.log({ alertId: target.alertId, msg: 'alert fanned out' });
  }

  /** Completes fan-outs that a crash interrupted; re-queuing a slice is a no-op. */
  private async resumeStalled(stalledAfterMs: number): Promise<void> {
    try {
      const stalled = await this.prisma.alert.findMany({
        where: { fannedOutAt: null, createdAt: { lt: new Date(Date.now() - stalledAfterMs) } },
        include: { article: { select: { tags: true, publishedAt: true } } },
        take: 20,
      });
      for (const alert of stalled) {
        if (this.running.has(alert.id)) continue;
        const queued = await this.prisma.delivery.findFirst({ where: { alertId: alert.id }, select: { relatedIds: true } });
        const relatedIds = queued ? queued.relatedIds : await this.relatedIds({ id: alert.articleId, ...alert.article });
        const target = { alertId: alert.id, articleId: alert.articleId, tags: alert.tags, relatedIds, messageHost: messageHost(this.config) };
        this.logger.warn({ alertId: alert.id, msg: 'resuming an interrupted alert fan-out' });
        // Not null: to finishFanout that means "audience exhausted", and it would mark the alert done with the rest never queued.
        this.continueInBackground(alert.id, () => this.finishFanout(target, FROM_FIRST_SUBSCRIBER));
      }
    } catch (error) {
      this.logger.warn({ err: (error as Error).message, msg: 'alert sweep failed; will retry' });
    }
  }

  private continueInBackground(alertId: string, work: () => Promise<void>): void {
    const promise = work()
      .catch((error: Error) => this.logger.error({ alertId, err: error.message, msg: 'alert fan-out interrupted; the sweep will resume it' }))
      .finally(() => this.running.delete(alertId));
    this.running.set(alertId, promise);
  }
}
