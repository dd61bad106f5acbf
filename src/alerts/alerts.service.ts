import { Inject, Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/config';
import { PrismaService } from '../database/prisma.service';
import { isUniqueViolation } from '../database/prisma-errors';
import { Clock } from '../common/clock';
import { messageHost } from '../mail/message-host';
import { DeliveryWorker } from '../deliveries/delivery-worker';
import { RelatedArticlesService } from '../articles/related-articles.service';
import { AlertFanoutRepository } from './alert-fanout.repository';

/** Rows per fan-out slice: the first slice is sending while the next is written. */
const FANOUT_SLICE = 2000;
const FIRST_SLICE = 200;
/** An alert unfinished for this long was interrupted (crash) and is resumed by the sweep. */
const STALLED_AFTER_MS = 30_000;
const SWEEP_INTERVAL_MS = 15_000;
const RELATED_IN_ALERT = 3;

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
  ) {}

  onApplicationBootstrap(): void {
    this.sweepTimer = setInterval(() => void this.resumeStalled(), SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
    void this.resumeStalled(0);
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.sweepTimer);
    await Promise.allSettled(this.running.values());
  }

  /** The breaking-event path: the first alert of the article, created at most once across redeliveries and instances. */
  async ensureBreakingAlert(articleId: string): Promise<void> {
    const existing = await this.prisma.alert.findFirst({ where: { articleId }, select: { id: true } });
    if (existing) return;
    await this.create({ articleId, sentBy: 'kafka' });
  }

  /**
   * Creates the article's alert, or returns the existing one unless `resend`.
   * Resolves once the audience is counted and the first slice queued.
   */
  async create(input: { articleId: string; tags?: readonly string[]; sentBy: string; resend?: boolean }): Promise<AlertSummary> {
    const article = await this.prisma.article.findUnique({ where: { id: input.articleId } });
    if (!article) throw new ArticleNotFoundError(`article ${input.articleId} does not exist`);
    const previous = await this.prisma.alert.findFirst({ where: { articleId: article.id }, orderBy: { sequence: 'desc' } });
    if (previous && !input.resend) {
      return { alertId: previous.id, recipients: previous.recipients, existing: true };
    }
    const tags = input.tags && input.tags.length > 0 ? [...input.tags] : article.tags;
    const recipients = await this.fanout.countAudience(tags);
    let alertId: string;
    try {
      const alert = await this.prisma.alert.create({
        data: { articleId: article.id, sequence: previous ? previous.sequence + 1 : 0, tags, sentBy: input.sentBy, recipients },
      });
      alertId = alert.id;
    } catch (error) {
      // Another instance (or a redelivered event) created it first: theirs is the alert.
      if (!isUniqueViolation(error)) throw error;
      const winner = await this.prisma.alert.findFirstOrThrow({ where: { articleId: article.id }, orderBy: { sequence: 'desc' } });
      return { alertId: winner.id, recipients: winner.recipients, existing: true };
    }
    const now = this.clock.now();
    const relatedIds = (await this.related.relatedTo([article], now, new Set([article.id]), RELATED_IN_ALERT)).map((a) => a.id);
    const target = { alertId, articleId: article.id, tags, relatedIds, messageHost: messageHost(this.config) };
    const first = await this.fanout.queueSlice(target, null, FIRST_SLICE);
    this.worker.wake();
    this.continueInBackground(alertId, () => this.finishFanout(target, first.last, first.queued));
    return { alertId, recipients, existing: false };
  }

  async status(alertId: string): Promise<AlertStatus | null> {
    const alert = await this.prisma.alert.findUnique({ where: { id: alertId } });
    if (!alert) return null;
    const counts = await this.prisma.delivery.groupBy({ by: ['status'], where: { alertId }, _count: { _all: true } });
    const count = (status: string) => counts.find((c) => c.status === status)?._count._all ?? 0;
    return { alertId, status: alert.status, recipients: alert.recipients, sent: count('sent'), failed: count('failed') };
  }

  private async finishFanout(target: Parameters<AlertFanoutRepository['queueSlice']>[0], after: string | null, alreadyQueued: number): Promise<void> {
    let cursor = after;
    let queued = alreadyQueued;
    while (cursor !== null) {
      const slice = await this.fanout.queueSlice(target, cursor, FANOUT_SLICE);
      queued += slice.queued;
      cursor = slice.last;
      this.worker.wake();
    }
    const total = await this.prisma.delivery.count({ where: { alertId: target.alertId } });
    await this.prisma.alert.update({
      where: { id: target.alertId },
      data: { fannedOutAt: this.clock.now(), recipients: total, ...(total === 0 ? { status: 'sent', lastSentAt: this.clock.now() } : {}) },
    });
    this.logger.log({ alertId: target.alertId, recipients: total, queuedNow: queued, msg: 'alert fanned out' });
  }

  /** Completes fan-outs that a crash interrupted; re-queuing a slice is a no-op. */
  private async resumeStalled(stalledAfterMs = STALLED_AFTER_MS): Promise<void> {
    try {
      const stalled = await this.prisma.alert.findMany({
        where: { fannedOutAt: null, createdAt: { lt: new Date(Date.now() - stalledAfterMs) } },
        take: 20,
      });
      for (const alert of stalled) {
        if (this.running.has(alert.id)) continue;
        const related = await this.prisma.delivery.findFirst({ where: { alertId: alert.id }, select: { relatedIds: true } });
        const target = { alertId: alert.id, articleId: alert.articleId, tags: alert.tags, relatedIds: related?.relatedIds ?? [], messageHost: messageHost(this.config) };
        this.continueInBackground(alert.id, () => this.finishFanout(target, null, 0));
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
