import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/config';
import { PrismaService } from '../database/prisma.service';
import { ReaderLinks } from '../subscriptions/reader-links';
import { TemplateRenderer } from '../mail/template-renderer';
import { buildMessage, InvalidMessageError } from '../mail/mime';
import { toArticleView } from '../articles/article-view';
import { ArticleView, FooterLinks, RenderedEmail } from '../mail/email-data';
import { bulkMailHeaders, composeEmail } from '../mail/compose-email';
import { BounceReferences } from '../mail/bounce-reference';
import { messageHost } from '../mail/message-host';
import { AlertPushInput, alertPushes, PushMessage } from '../push/push-message';
import { ClaimedDelivery } from './delivery.types';

export interface OutgoingMessage {
  /** The envelope sender (Return-Path): bounces+<signed reference to this delivery>@BOUNCE_DOMAIN. */
  from: string;
  to: string;
  messageId: string;
  raw: Buffer;
}

/** Why a row cannot become an email; permanent, so the row is failed rather than retried. */
export type Uncomposable = { error: string };

/** A claimed batch with its articles loaded: composes one row at a time, when a sender is free for it. */
export interface ComposableBatch {
  compose(row: ClaimedDelivery): OutgoingMessage | Uncomposable;
  /** A push row: the alert's web push for the subscription the claim joined in. */
  composePush(row: ClaimedDelivery): PushMessage | Uncomposable;
}

/** Turns claimed outbox rows into ready-to-send MIME: one article lookup per batch, no MJML. */
@Injectable()
export class DeliveryComposer {
  private readonly host: string;

  constructor(
    private readonly prisma: PrismaService,
    private readonly renderer: TemplateRenderer,
    private readonly links: ReaderLinks,
    private readonly bounceReferences: BounceReferences,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.host = messageHost(config);
  }

  /**
   * Loads what the batch needs in one query. Rows are then composed one by one as
   * they are sent, so the first email of a batch leaves without waiting for the
   * whole batch to be rendered.
   */
  async prepare(rows: readonly ClaimedDelivery[]): Promise<ComposableBatch> {
    const [articles, runIds] = await Promise.all([this.loadArticles(rows), this.loadRunIds(rows)]);
    const pushes = alertPushes();
    return { compose: (row) => this.composeOne(row, articles, runIds), composePush: (row) => composePush(row, articles, pushes) };
  }

  private composeOne(row: ClaimedDelivery, articles: Map<string, ArticleView>, runIds: Map<bigint, string>): OutgoingMessage | Uncomposable {
    if (row.kind === 'push') return { error: 'a push is not an email' };
    if (!row.email) return { error: 'subscriber erased' };
    const subscriber = { id: row.subscriberId as string, tokenVersion: row.tokenVersion ?? 0 };
    // Signed once and used for both the footer link and the List-Unsubscribe header.
    const footer = { preferencesUrl: this.links.preferencesUrl(subscriber), unsubscribeUrl: this.links.unsubscribeUrl(subscriber) };
    const email = this.render(row, articles, footer);
    if (!email) return { error: 'an article it delivers no longer exists' };
    try {
      return {
        from: this.bounceReferences.addressFor(row.id),
        to: row.email,
        messageId: row.messageId,
        raw: buildMessage({
          from: this.config.smtp.from,
          to: row.email,
          subject: email.subject,
          messageId: row.messageId,
          date: new Date(),
          html: email.html,
          text: email.text,
          headers: {
            'List-Unsubscribe': `<${footer.unsubscribeUrl}>`,
            'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
            ...this.bulkHeaders(row, runIds),
          },
        }),
      };
    } catch (error) {
      // An address or header that cannot be written safely fails this row only, never its batch.
      if (error instanceof InvalidMessageError) return { error: error.message };
      throw error;
    }
  }

  /** List-Id and Feedback-ID for digests and alerts; transactional mail (confirm, manage) is not a list. */
  private bulkHeaders(row: ClaimedDelivery, runIds: Map<bigint, string>): Record<string, string> {
    if (row.kind === 'alert' && row.alertId) return bulkMailHeaders('alert', row.alertId, this.host);
    const runId = runIds.get(row.id);
    if (row.kind === 'digest' && runId) return bulkMailHeaders('digest', runId, this.host);
    return {};
  }

  /** Returns null when an article it needs no longer exists. */
  private render(row: ClaimedDelivery, articles: Map<string, ArticleView>, footer: FooterLinks): RenderedEmail | null {
    const subscriber = { id: row.subscriberId as string, tokenVersion: row.tokenVersion ?? 0 };
    const pick = (ids: readonly string[]) => ids.map((id) => articles.get(id)).filter((a): a is ArticleView => a !== undefined);
    switch (row.kind) {
      case 'confirm':
        return composeEmail(this.renderer, { kind: 'confirm', footer, confirmUrl: this.links.confirmUrl(subscriber) });
      case 'manage':
        return composeEmail(this.renderer, { kind: 'manage', footer });
      case 'alert': {
        const [article] = pick(row.articleIds);
        if (!article) return null;
        return composeEmail(this.renderer, { kind: 'alert', footer, article, related: pick(row.relatedIds), test: row.alertTest === true });
      }
      case 'push':
        return null;
      case 'digest': {
        const digest = pick(row.articleIds);
        if (digest.length === 0) return null;
        return composeEmail(this.renderer, { kind: 'digest', footer, articles: digest, more: row.payload.more ?? 0, related: pick(row.relatedIds) });
      }
    }
  }

  /** Digest rows' run ids, for their Feedback-ID: the claim does not carry them. */
  private async loadRunIds(rows: readonly ClaimedDelivery[]): Promise<Map<bigint, string>> {
    const ids = rows.filter((row) => row.kind === 'digest').map((row) => row.id);
    if (ids.length === 0) return new Map();
    const found = await this.prisma.delivery.findMany({ where: { id: { in: ids } }, select: { id: true, runId: true } });
    return new Map(found.flatMap((row) => (row.runId ? [[row.id, row.runId] as const] : [])));
  }

  private async loadArticles(rows: readonly ClaimedDelivery[]): Promise<Map<string, ArticleView>> {
    const ids = new Set<string>();
    for (const row of rows) {
      for (const id of row.articleIds) ids.add(id);
      for (const id of row.relatedIds) ids.add(id);
    }
    if (ids.size === 0) return new Map();
    const found = await this.prisma.article.findMany({ where: { id: { in: [...ids] } } });
    return new Map(found.map((a) => [a.id, toArticleView(a)]));
  }
}

function composePush(row: ClaimedDelivery, articles: Map<string, ArticleView>, alertPush: (input: AlertPushInput) => PushMessage | Uncomposable): PushMessage | Uncomposable {
  if (row.kind !== 'push' || !row.alertId || !row.pushEndpoint || !row.pushP256dh || !row.pushAuth) return { error: 'not a push to an existing subscription' };
  const article = articles.get(row.articleIds[0] ?? '');
  if (!article) return { error: 'an article it delivers no longer exists' };
  return alertPush({
    alertId: row.alertId,
    test: row.alertTest === true,
    priority: row.alertPriority,
    article: { title: article.title, summary: article.summary ?? null, url: article.url },
    subscription: { endpoint: row.pushEndpoint, p256dh: row.pushP256dh, auth: row.pushAuth },
  });
}
