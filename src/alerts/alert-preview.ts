import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/config';
import { Clock } from '../common/clock';
import { PrismaService } from '../database/prisma.service';
import { RelatedArticlesService } from '../articles/related-articles.service';
import { TemplateRenderer } from '../mail/template-renderer';
import { ArticleView } from '../mail/email-data';
import { ALERT_MAX_RELATED } from '../mail/emails/alert-email';
import { AlertPreviewRequest } from './alert-request';
import { AlertFanoutRepository } from './alert-fanout.repository';
import { ArticleNotFoundError } from './alerts.service';

export interface AlertPreviewResult {
  recipients: number;
  subject: string;
  html: string;
}

/** A stand-in token: the preview is nobody's email, so its links must not work for anybody. */
const PLACEHOLDER_TOKEN = 'preview';

/**
 * GET /alerts/preview: the email an alert would send and how many would get it.
 * Reads only; nothing is queued or recorded.
 */
@Injectable()
export class AlertPreview {
  constructor(
    private readonly prisma: PrismaService,
    private readonly fanout: AlertFanoutRepository,
    private readonly related: RelatedArticlesService,
    private readonly renderer: TemplateRenderer,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute(query: AlertPreviewRequest): Promise<AlertPreviewResult> {
    const article = await this.prisma.article.findUnique({ where: { id: query.articleId } });
    if (!article) throw new ArticleNotFoundError(`article "${query.articleId}" does not exist`);
    const now = this.clock.now();
    const at = article.publishedAt > now ? article.publishedAt : now;
    const [recipients, relatedIds] = await Promise.all([
      this.fanout.countAudience(query.tags ?? article.tags),
      this.related.relatedTo([article], at, new Set([article.id]), ALERT_MAX_RELATED),
    ]);
    const relatedRows = await this.prisma.article.findMany({ where: { id: { in: relatedIds.map((a) => a.id) } } });
    const byId = new Map(relatedRows.map((row) => [row.id, row]));
    const related = relatedIds.flatMap((a) => {
      const row = byId.get(a.id);
      return row ? [articleView(row)] : [];
    });
    const base = this.config.publicBaseUrl;
    const email = this.renderer.render('alert', {
      article: articleView(article),
      related,
      preferencesUrl: `${base}/preferences?token=${PLACEHOLDER_TOKEN}`,
      unsubscribeUrl: `${base}/unsubscribe?token=${PLACEHOLDER_TOKEN}`,
    });
    return { recipients, subject: email.subject, html: email.html };
  }
}

interface ArticleRow {
  id: string;
  title: string;
  url: string;
  summary: string | null;
  tags: string[];
  imageUrl: string | null;
  publishedAt: Date;
  author: string | null;
}

function articleView(row: ArticleRow): ArticleView {
  return {
    id: row.id,
    title: row.title,
    url: row.url,
    summary: row.summary ?? undefined,
    tags: row.tags,
    imageUrl: row.imageUrl ?? undefined,
    publishedAt: row.publishedAt,
    author: row.author ?? undefined,
  };
}
