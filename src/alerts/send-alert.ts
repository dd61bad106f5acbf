import { Injectable } from '@nestjs/common';
import { ArticlesRepository } from '../articles/articles.repository';
import { CreateAlertRequest } from './alert-request';
import { CreateAlert, AlertSummary } from './create-alert';

export interface SendAlertCommand {
  request: CreateAlertRequest;
  /** The editor key's short id (never the key). */
  sentBy: string;
}

/**
 * POST /alerts: an inline article is stored exactly as if it had arrived as an
 * event (same upsert, so an older version never overwrites a newer one), then
 * the article is alerted. Throws ArticleNotFoundError for an unknown id.
 */
@Injectable()
export class SendAlert {
  constructor(
    private readonly articles: ArticlesRepository,
    private readonly alerts: CreateAlert,
  ) {}

  async execute({ request, sentBy }: SendAlertCommand): Promise<AlertSummary> {
    let articleId: string;
    if ('article' in request) {
      await this.articles.upsertMany([request.article]);
      articleId = request.article.id;
    } else {
      articleId = request.articleId;
    }
    return this.alerts.execute({ articleId, tags: request.tags, sentBy, resend: request.resend });
  }
}
