import { Injectable, Logger } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { AlertFanout, FANOUT_LEASE_SECONDS } from './alert-fanout';
import { AlertAudienceRepository, AudienceSize, AudienceSpec } from './alert-audience.repository';
import { AlertOptions, DEFAULT_ALERT_OPTIONS } from './alert-request';
import { AlertsRepository, NewAlert } from './alerts.repository';
import { RelatedToAlert } from './related-to-alert';

/** Concurrent test alerts of one article each take the next free sequence number: a few tries settle it. */
const SEQUENCE_TRIES = 5;

export interface AlertSummary {
  alertId: string;
  /** Its audience over the channels it goes on: readers by email plus browsers by push. */
  recipients: number;
  /** True when the article already had an alert and that one is returned instead. */
  existing: boolean;
}

export interface CreateAlertCommand {
  articleId: string;
  /** Replaces the article's tags as the audience (narrow or widen). */
  tags?: readonly string[];
  /** The editor key's short id, or "kafka" for a breaking event. */
  sentBy: string;
  /** Send again even though the article was already alerted. */
  resend?: boolean;
  /** Channels, priority, test, sendAt; a major alert on every channel, now, unless told. */
  options?: AlertOptions;
}

export class ArticleNotFoundError extends Error {}

/** A request the alert cannot be made for as asked (a test with nobody to test on): a 400. */
export class AlertRefusedError extends Error {}

/**
 * Breaking alerts: one per article unless an editor asks for a re-send; tests are
 * alerts of their own, never the article's. The alert row is the idempotency key
 * (articleId, test, sequence); its outbox rows are the audience, the first slice
 * written before this returns, the rest by the fan-out. A scheduled alert is only
 * recorded here, with its audience counted: the scheduler fans it out at its time.
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
  ) {}

  /**
   * The breaking-event path: the article's first alert, created at most once across
   * redeliveries and instances — the unique (articleId, test, sequence) decides the race.
   * An alert an editor cancelled stays cancelled.
   */
  async ensureBreakingAlert(articleId: string): Promise<void> {
    if (await this.alerts.hasRealAlert(articleId)) return;
    await this.execute({ articleId, sentBy: 'kafka' });
  }

  /**
   * Creates the article's alert, or returns the existing one unless `resend` (or a test).
   * Resolves once the first slice is queued and the audience counted.
   */
  async execute(input: CreateAlertCommand): Promise<AlertSummary> {
    const options = input.options ?? DEFAULT_ALERT_OPTIONS;
    const [article, real] = await Promise.all([
      this.prisma.article.findUnique({ where: { id: input.articleId } }),
      options.test ? null : this.alerts.realAlertsOf(input.articleId),
    ]);
    const previous = real?.latest;
    if (!article) throw new ArticleNotFoundError(`article "${input.articleId}" does not exist`);
    if (previous && !input.resend) {
      return { alertId: previous.id, recipients: previous.recipients, existing: true };
    }
    const tags = input.tags && input.tags.length > 0 ? [...input.tags] : article.tags;
    const alert: NewAlert = { articleId: article.id, tags, sentBy: input.sentBy, options };
    await this.fanout.prepare(options);
    if (options.test && this.total(await this.audience.countAudience({ tags, ...options })) === 0) {
      throw new AlertRefusedError('test: there are no test recipients on these channels (set ALERT_TEST_RECIPIENTS, or register a staff push subscription)');
    }
    // Related stories are read while the alert row is written: both sit before the first email.
    const [created, relatedIds] = await Promise.all([this.insert(alert, real?.nextSequence ?? 0), options.sendAt ? [] : this.related.of(article)]);
    if (!created) {
      // Another instance (or a redelivered event) created it first: theirs is the alert.
      const winner = await this.alerts.latestForArticle(article.id);
      if (!winner) throw new Error(`alert of "${article.id}" vanished`);
      return { alertId: winner.id, recipients: winner.recipients, existing: true };
    }
    const spec = { id: created.id, articleId: article.id, tags, channels: options.channels, test: options.test };
    const recipients = options.sendAt ? await this.schedule(created.id, spec) : this.total(await this.fanout.start(spec, relatedIds));
    this.logger.log({ alertId: created.id, articleId: article.id, sentBy: input.sentBy, tags, recipients, channels: options.channels, priority: options.priority, test: options.test, sendAt: options.sendAt?.toISOString(), msg: options.sendAt ? 'alert scheduled' : 'alert created' });
    return { alertId: created.id, recipients, existing: false };
  }

  /**
   * The next alert of the article, or of its tests. A real alert that loses the race for
   * its number returns null (the winner is the article's alert); a test, which is always
   * a new alert, tries the next number.
   */
  private async insert(alert: NewAlert, realSequence: number): Promise<{ id: string } | null> {
    if (!alert.options.test) return this.alerts.insert(alert, realSequence, FANOUT_LEASE_SECONDS);
    for (let attempt = 0; attempt < SEQUENCE_TRIES; attempt++) {
      const created = await this.alerts.insert(alert, await this.alerts.nextTestSequence(alert.articleId), FANOUT_LEASE_SECONDS);
      if (created) return created;
    }
    throw new Error(`no free sequence number for a test alert of "${alert.articleId}"`);
  }

  /** Nothing is queued before its time; the audience is counted so the editor sees its size. */
  private async schedule(alertId: string, spec: AudienceSpec): Promise<number> {
    const recipients = this.total(await this.audience.countAudience(spec));
    await this.alerts.setRecipients(alertId, recipients);
    return recipients;
  }

  private total(size: AudienceSize): number {
    return size.email + size.push;
  }
}
