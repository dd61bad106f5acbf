import { Injectable, Logger } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { DeliveryCountsRepository } from '../deliveries/delivery-counts.repository';
import { AlertAudienceRepository, FanoutTarget } from './alert-audience.repository';
import { AlertFanout, FANOUT_LEASE_SECONDS, FROM_FIRST_SUBSCRIBER } from './alert-fanout';
import { AlertsRepository } from './alerts.repository';
import { RelatedToAlert } from './related-to-alert';

/** Written before the request returns: small, so the first email leaves within milliseconds. */
const FIRST_SLICE = 200;

export interface AlertSummary {
  alertId: string;
  recipients: number;
  /** True when the article already had an alert and that one is returned instead. */
  existing: boolean;
}

export interface AlertStatus {
  alertId: string;
  status: 'scheduled' | 'queued' | 'sending' | 'sent' | 'cancelled';
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
 * are the audience, the first slice written before this returns, the rest by the fan-out.
 */
@Injectable()
export class CreateAlert {
  private readonly logger = new Logger(CreateAlert.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly alerts: AlertsRepository,
    private readonly audience: AlertAudienceRepository,
    private readonly fanout: AlertFanout,
    private readonly related: RelatedToAlert,
    private readonly counts: DeliveryCountsRepository,
  ) {}

  /**
   * The breaking-event path: the article's first alert, created at most once across
   * redeliveries and instances — the unique (articleId, sequence) decides the race.
   */
  async ensureBreakingAlert(articleId: string): Promise<void> {
    if (await this.alerts.latestForArticle(articleId)) return;
    await this.execute({ articleId, sentBy: 'kafka' });
  }

  /**
   * Creates the article's alert, or returns the existing one unless `resend`.
   * Resolves once the first slice is queued and the audience counted.
   */
  async execute(input: CreateAlertCommand): Promise<AlertSummary> {
    const [article, previous] = await Promise.all([
      this.prisma.article.findUnique({ where: { id: input.articleId } }),
      this.alerts.latestForArticle(input.articleId),
    ]);
    if (!article) throw new ArticleNotFoundError(`article "${input.articleId}" does not exist`);
    if (previous && !input.resend) {
      return { alertId: previous.id, recipients: previous.recipients, existing: true };
    }
    const tags = input.tags && input.tags.length > 0 ? [...input.tags] : article.tags;
    // Related stories are read while the alert row is written: both sit before the first email.
    const [created, relatedIds] = await Promise.all([
      this.alerts.insert({ articleId: article.id, sequence: previous ? previous.sequence + 1 : 0, tags, sentBy: input.sentBy }, FANOUT_LEASE_SECONDS),
      this.related.of(article),
    ]);
    if (!created) {
      // Another instance (or a redelivered event) created it first: theirs is the alert.
      const winner = await this.alerts.latestForArticle(article.id);
      if (!winner) throw new Error(`alert of "${article.id}" vanished`);
      return { alertId: winner.id, recipients: winner.recipients, existing: true };
    }
    const target: FanoutTarget = { alertId: created.id, articleId: article.id, tags, relatedIds };
    // The first emails and the first pushes are written side by side, on two connections.
    const [first, firstPush] = await Promise.all([
      this.audience.queueSlice(target, null, FIRST_SLICE),
      this.audience.queuePushSlice(target, FROM_FIRST_SUBSCRIBER, FIRST_SLICE),
    ]);
    // Counted after the first slice is queued, so counting a large audience never delays the first email.
    const recipients = first.last === null ? first.queued : await this.audience.countAudience(tags);
    await this.alerts.setRecipients(created.id, recipients);
    if (first.last === null && firstPush.last === null) await this.fanout.completed(created.id);
    else {
      await this.alerts.advanceFanout(created.id, first.last, FANOUT_LEASE_SECONDS);
      this.fanout.continue(target, { email: first.last, push: firstPush.last });
    }
    this.logger.log({ alertId: created.id, articleId: article.id, sentBy: input.sentBy, tags, recipients, msg: 'alert created' });
    return { alertId: created.id, recipients, existing: false };
  }

  async status(alertId: string): Promise<AlertStatus | null> {
    const alert = await this.alerts.findById(alertId);
    if (!alert) return null;
    const { sent, failed } = await this.counts.forAlert(alertId);
    return { alertId, status: alert.status, recipients: alert.recipients, sent, failed };
  }
}
