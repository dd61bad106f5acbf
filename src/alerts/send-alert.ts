import { Injectable } from '@nestjs/common';
import { ArticlesRepository } from '../articles/articles.repository';
import { Clock } from '../common/clock';
import { CreateAlertRequest, sendAtProblem } from './alert-request';
import { AlertRefusedError, AlertSummary, CreateAlert } from './create-alert';

export interface SendAlertCommand {
  request: CreateAlertRequest;
  /** The editor key's short id (never the key). */
  sentBy: string;
}

/**
 * POST /alerts: an inline article is stored exactly as if it had arrived as an
 * event (same upsert, so an older version never overwrites a newer one), then
 * the article is alerted. Throws ArticleNotFoundError for an unknown id, and
 * AlertRefusedError, before anything is stored, for a sendAt out of its window.
 */
@Injectable()
export class SendAlert {
  constructor(
    private readonly articles: ArticlesRepository,
    private readonly alerts: CreateAlert,
    private readonly clock: Clock,
  ) {}

  async execute({ request, sentBy }: SendAlertCommand): Promise<AlertSummary> {
    const { sendAt } = request.options;
    const problem = sendAt ? sendAtProblem(sendAt, this.clock.now()) : null;
    if (problem) throw new AlertRefusedError(problem);
    let articleId: string;
    if ('article' in request) {
      await this.articles.upsertMany([request.article]);
      articleId = request.article.id;
    } else {
      articleId = request.articleId;
    }
    return this.alerts.execute({ articleId, tags: request.tags, sentBy, resend: request.resend, options: request.options });
  }
}
