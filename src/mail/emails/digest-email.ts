import { BRAND } from '../brand';
import { DigestEmailData } from '../email-data';
import {
  ArticleModel,
  EmailContent,
  RenderContext,
  articleModel,
  articleText,
  footerLinks,
  footerText,
  layoutScope,
  ownUrl,
  plural,
  relatedText,
  truncate,
} from './email-content';

export const DIGEST_MAX_ARTICLES = 10;
export const DIGEST_MAX_RELATED = 5;
const SUBJECT_TAGS = 3;
const INTRO = 'The latest stories on your tags, best matches first.';
const FOOTER_NOTE = `You receive this digest because you subscribed to ${BRAND.siteName}.`;

export function digestEmail(data: DigestEmailData, context: RenderContext): EmailContent {
  const shownArticles = data.articles.slice(0, DIGEST_MAX_ARTICLES);
  const shown = shownArticles.map((article) => articleModel(article, context));
  const more = Math.max(0, data.more) + Math.max(0, data.articles.length - DIGEST_MAX_ARTICLES);
  const related = data.related.slice(0, DIGEST_MAX_RELATED).map((article) => articleModel(article, context));
  const tags = topTags(shown, SUBJECT_TAGS).map((tag) => `#${tag}`);
  const subject = `${plural(shown.length + more, 'new story', 'new stories')}${tags.length ? ` on ${tags.join(', ')}` : ''}`;
  const moreUrl = more > 0 ? ownUrl(data.moreUrl, 'moreUrl') : '';
  const moreLabel = plural(more, 'more story', 'more stories');
  const footer = footerLinks(data);
  const preheader = truncate(shown.map((article) => article.title).join(' · '), 140);

  let text = `${BRAND.siteName.toUpperCase()}: ${subject}\n\n${INTRO}\n\n`;
  shownArticles.forEach((article, index) => {
    text += `${numbered(index + 1, articleText(article, context, '    '))}\n\n`;
  });
  if (more > 0) text += `And ${moreLabel} on your tags: ${moreUrl}\n\n`;
  text += relatedText(related) + footerText(footer, FOOTER_NOTE);

  return {
    subject,
    layout: layoutScope(subject, preheader, footer, FOOTER_NOTE, context),
    scope: {
      intro: INTRO,
      articles: shown,
      more,
      moreUrl,
      moreLabel,
      hasRelated: related.length > 0,
      related,
    },
    text,
  };
}

function numbered(position: number, indentedText: string): string {
  const label = `${position}.`.padEnd(4);
  return label + indentedText.slice(label.length);
}

/** The tags the shown articles carry most, ties broken by first appearance (articles come best first). */
export function topTags(articles: readonly ArticleModel[], limit: number): string[] {
  const counts = new Map<string, number>();
  for (const article of articles) {
    for (const { tag } of article.tags) counts.set(tag, (counts.get(tag) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([tag]) => tag);
}
