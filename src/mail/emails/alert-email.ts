import { BRAND } from '../brand';
import { AlertEmailData } from '../email-data';
import { EmailContent, RenderContext, articleModel, articleText, footerLinks, footerText, layoutScope, relatedText, truncate } from './email-content';

export const ALERT_MAX_RELATED = 3;
const SUBJECT_TITLE_LENGTH = 140;
/** What tells a test alert from the real one in an inbox. */
export const TEST_SUBJECT_PREFIX = '[TEST] ';
const FOOTER_NOTE = `You receive breaking news on your tags because you subscribed to ${BRAND.siteName}.`;

export function alertEmail(data: AlertEmailData, context: RenderContext): EmailContent {
  const article = articleModel(data.article, context);
  const related = data.related.slice(0, ALERT_MAX_RELATED).map((item) => articleModel(item, context));
  const subject = `${data.test ? TEST_SUBJECT_PREFIX : ''}Breaking: ${truncate(article.title, SUBJECT_TITLE_LENGTH)}`;
  const footer = footerLinks(data);
  return {
    subject,
    layout: layoutScope(subject, truncate(article.summary || article.title, 140), footer, FOOTER_NOTE, context),
    scope: { article: [article], hasRelated: related.length > 0, related },
    text: `BREAKING NEWS\n\n${articleText(data.article, context, '')}\n\n${relatedText(related)}${footerText(footer, FOOTER_NOTE)}`,
  };
}
