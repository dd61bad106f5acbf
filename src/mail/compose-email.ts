import { siteOf } from '../articles/article-view';
import { ArticleView, FooterLinks, RenderedEmail } from './email-data';
import { TemplateRenderer } from './template-renderer';

/** What one email says, independent of who runs it: the outbox with a reader's real links, a preview with stand-ins. */
export type EmailRequest =
  | { kind: 'confirm'; footer: FooterLinks; confirmUrl: string }
  | { kind: 'manage'; footer: FooterLinks }
  | { kind: 'alert'; footer: FooterLinks; article: ArticleView; related: readonly ArticleView[]; test?: boolean }
  | { kind: 'digest'; footer: FooterLinks; articles: readonly ArticleView[]; more: number; related: readonly ArticleView[] };

/**
 * The one way an email's subject, HTML and text are made: the outbox sends what this
 * returns, and both previews show what it returns, so an editor sees what readers get.
 */
export function composeEmail(renderer: TemplateRenderer, request: EmailRequest): RenderedEmail {
  switch (request.kind) {
    case 'confirm':
      return renderer.render('confirm', { ...request.footer, confirmUrl: request.confirmUrl, tags: [] });
    case 'manage':
      return renderer.render('manage', request.footer);
    case 'alert':
      return renderer.render('alert', { ...request.footer, article: request.article, related: request.related, test: request.test });
    case 'digest':
      return renderer.render('digest', {
        ...request.footer,
        articles: request.articles,
        more: request.more,
        moreUrl: siteOf(request.articles[0].url),
        related: request.related,
      });
  }
}

/** The mailing-list headers of bulk mail (CONTRACT.md "Emails"): List-Id and Gmail's Feedback-ID. */
export function bulkMailHeaders(kind: 'digest' | 'alert', campaignId: string, domain: string): Record<string, string> {
  const list = kind === 'digest' ? `"Dispatch digest" <digest.${domain}>` : `"Dispatch breaking news" <alerts.${domain}>`;
  return { 'List-Id': list, 'Feedback-ID': `${campaignId}:${kind}:dispatch:${domain}` };
}
