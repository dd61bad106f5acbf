import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { PrismaService } from '../database/prisma.service';
import { RelatedArticlesService } from '../articles/related-articles.service';
import { TemplateRenderer } from '../mail/template-renderer';
import { composeEmail } from '../mail/compose-email';
import { toArticleView } from '../articles/article-view';
import { ReaderLinks } from '../subscriptions/reader-links';
import { ALERT_MAX_RELATED } from '../mail/emails/alert-email';
import { AlertPreviewRequest } from './alert-request';
import { AlertAudienceRepository } from './alert-audience.repository';
import { ArticleNotFoundError } from './create-alert';

export interface AlertPreviewResult {
  recipients: number;
  subject: string;
  html: string;
}


/**
 * GET /alerts/preview: the email an alert would send and how many would get it.
 * Reads only; nothing is queued or recorded.
 */
@Injectable()
export class AlertPreview {
  constructor(
    private readonly prisma: PrismaService,
    private readonly fanout: AlertAudienceRepository,
    private readonly related: RelatedArticlesService,
    private readonly renderer: TemplateRenderer,
    private readonly clock: Clock,
    private readonly links: ReaderLinks,
  ) {}

  async execute(query: AlertPreviewRequest): Promise<AlertPreviewResult> {
    const article = await this.prisma.article.findUnique({ where: { id: query.articleId } });
    if (!article) throw new ArticleNotFoundError(`article "${query.articleId}" does not exist`);
    const now = this.clock.now();
    const at = article.publishedAt > now ? article.publishedAt : now;
    const [recipients, relatedIds] = await Promise.all([
      this.fanout.countAudience({ tags: query.tags ?? article.tags, channels: ['email'], test: false }).then((size) => size.email),
      this.related.relatedTo([article], at, new Set([article.id]), ALERT_MAX_RELATED),
    ]);
    const relatedRows = await this.prisma.article.findMany({ where: { id: { in: relatedIds.map((a) => a.id) } } });
    const byId = new Map(relatedRows.map((row) => [row.id, row]));
    const related = relatedIds.flatMap((a) => {
      const row = byId.get(a.id);
      return row ? [toArticleView(row)] : [];
    });
    const email = composeEmail(this.renderer, { kind: 'alert', footer: this.links.previewFooter(), article: toArticleView(article), related });
    return { recipients, subject: email.subject, html: email.html };
  }
}
