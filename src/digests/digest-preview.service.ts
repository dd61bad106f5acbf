import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { PrismaService } from '../database/prisma.service';
import { ArticleView } from '../mail/email-data';
import { toArticleView } from '../articles/article-view';
import { composeEmail } from '../mail/compose-email';
import { TemplateRenderer } from '../mail/template-renderer';
import { normalizeEmailAddress } from '../subscriptions/email-address';
import { ReaderLinks } from '../subscriptions/reader-links';
import { ArticleCatalog } from './article-catalog';
import { CatalogArticlesRepository } from './catalog-articles.repository';
import { DigestPlanner } from './digest-planner';
import { DigestSubscribersRepository } from './digest-subscribers.repository';
import { DigestTimetable } from './digest-timetable';
import { SentArticlesRepository } from './sent-articles.repository';

const STORED_SINCE_SLACK_MS = 24 * 60 * 60 * 1000;

/**
 * What GET /digests/preview answers. "No digest" — an unknown or unconfirmed address,
 * a suppressed one, or a reader with nothing new — is one and the same shape, so the
 * answer does not tell an editor which addresses exist:
 * {"subject": null, "html": null, "text": null, "articles": [], "related": []}.
 */
export interface DigestPreview {
  subject: string | null;
  html: string | null;
  text: string | null;
  articles: string[];
  related: string[];
}

export const NO_DIGEST: Readonly<DigestPreview> = Object.freeze({ subject: null, html: null, text: null, articles: [], related: [] });

/**
 * A reader's digest exactly as a run at `at` would decide it (same planner, same
 * catalog rules, same no-repeat memory) and as the outbox would render it — but
 * nothing is queued, sent or recorded.
 */
@Injectable()
export class DigestPreviewService {
  private readonly planner = new DigestPlanner();

  constructor(
    private readonly prisma: PrismaService,
    private readonly subscribers: DigestSubscribersRepository,
    private readonly catalogArticles: CatalogArticlesRepository,
    private readonly sentArticles: SentArticlesRepository,
    private readonly renderer: TemplateRenderer,
    private readonly links: ReaderLinks,
    private readonly clock: Clock,
  ) {}

  /** `at` defaults to the reader's next digest: their next slot, or now when that is overdue. */
  async preview(rawEmail: string, at?: Date): Promise<DigestPreview> {
    const address = normalizeEmailAddress(rawEmail);
    if (!address.ok) return NO_DIGEST;
    const subscriber = await this.subscribers.findByEmail(address.email);
    if (!subscriber || subscriber.status !== 'confirmed') return NO_DIGEST;
    const now = this.clock.now();
    const instant = at ?? (subscriber.nextDigestAt && subscriber.nextDigestAt > now ? subscriber.nextDigestAt : now);

    const timetable = new DigestTimetable(instant);
    let span;
    try {
      span = this.planner.coverageFor(subscriber, instant, timetable);
    } catch (error) {
      if (error instanceof RangeError) return NO_DIGEST;
      throw error;
    }
    const catalog = new ArticleCatalog(span, await this.catalogArticles.publishedIn(span.from, span.to));
    const sent = catalog.storedSince
      ? await this.sentArticles.sentTo([subscriber.id], new Date(catalog.storedSince.getTime() - STORED_SINCE_SLACK_MS))
      : new Map<string, Set<string>>();
    const plan = this.planner.plan(subscriber, instant, { timetable, catalog, alreadySent: sent.get(subscriber.id) ?? new Set() });
    if (plan.outcome !== 'digest') return NO_DIGEST;

    const articleIds = plan.articles.map((article) => article.id);
    const relatedIds = plan.related.map((article) => article.id);
    const views = await this.articleViews([...articleIds, ...relatedIds]);
    const pick = (ids: readonly string[]) => ids.map((id) => views.get(id)).filter((view): view is ArticleView => view !== undefined);
    const articles = pick(articleIds);
    if (articles.length === 0) return NO_DIGEST;
    // Stand-in links: an editor sees the reader's email, not working tokens to their preferences.
    const email = composeEmail(this.renderer, { kind: 'digest', footer: this.links.previewFooter(), articles, more: plan.more, related: pick(relatedIds) });
    return { subject: email.subject, html: email.html, text: email.text, articles: articleIds, related: relatedIds };
  }

  private async articleViews(ids: readonly string[]): Promise<Map<string, ArticleView>> {
    const rows = await this.prisma.article.findMany({ where: { id: { in: [...ids] } } });
    return new Map(rows.map((a) => [a.id, toArticleView(a)]));
  }
}
