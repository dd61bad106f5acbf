import { Scope, TemplateDataError } from '../compiled-template';
import { oneLine, toHttpUrl } from '../escaping';
import { ArticleView, FooterLinks } from '../email-data';

/** What one email says, before it becomes HTML: the subject, the values for the layout and for its own template, its plain text. */
export interface EmailContent {
  subject: string;
  layout: LayoutScope;
  scope: Scope;
  text: string;
}

/** The values layouts/base.mjml needs. */
export interface LayoutScope extends Scope {
  subject: string;
  preheader: string;
  siteUrl: string;
  footerNote: string;
  preferencesUrl: string;
  unsubscribeUrl: string;
}

export interface RenderContext {
  /** Where article links go when an article's own URL is not http(s). */
  siteUrl: string;
}

/** An article made safe to show: one-line text fields, http(s)-only links. */
export interface ArticleModel extends Scope {
  title: string;
  url: string;
  summary: string;
  author: string;
  imageUrl: string;
  tags: readonly { tag: string }[];
  tagLine: string;
}

/**
 * Digests for many readers share the same ArticleView objects (one lookup per batch),
 * so each article is made safe, and written as text, once per object rather than once
 * per email. Keyed by id but valid only for the very same object (an update arrives as
 * a new object), so a stale entry is never used; ArticleView is treated as immutable.
 * A plain bounded Map: a WeakMap keyed by short-lived objects costs more in GC than it saves.
 */
interface PreparedArticle {
  source: ArticleView;
  siteUrl: string;
  model: ArticleModel;
  texts: Map<string, string>;
}

const MAX_PREPARED = 5_000;
const prepared = new Map<string, PreparedArticle>();

function prepare(article: ArticleView, context: RenderContext): PreparedArticle {
  let entry = prepared.get(article.id);
  if (entry?.source !== article || entry.siteUrl !== context.siteUrl) {
    if (prepared.size >= MAX_PREPARED) prepared.clear();
    entry = { source: article, siteUrl: context.siteUrl, model: buildArticleModel(article, context), texts: new Map() };
    prepared.set(article.id, entry);
  }
  return entry;
}

export function articleModel(article: ArticleView, context: RenderContext): ArticleModel {
  return prepare(article, context).model;
}

/** One article in the plain-text part: title, summary, byline and tags, link; every line indented. */
export function articleText(article: ArticleView, context: RenderContext, indent: string): string {
  const entry = prepare(article, context);
  let text = entry.texts.get(indent);
  if (text === undefined) {
    text = writeArticleText(entry.model, indent);
    entry.texts.set(indent, text);
  }
  return text;
}

function buildArticleModel(article: ArticleView, context: RenderContext): ArticleModel {
  const tags = article.tags.map((tag) => oneLine(tag)).filter((tag) => tag.length > 0);
  return {
    title: oneLine(article.title),
    url: toHttpUrl(article.url) ?? context.siteUrl,
    summary: article.summary ? oneLine(article.summary) : '',
    author: article.author ? oneLine(article.author) : '',
    imageUrl: toHttpUrl(article.imageUrl) ?? '',
    tags: tags.map((tag) => ({ tag })),
    tagLine: tags.map((tag) => `#${tag}`).join(' '),
  };
}

/** Our own links (preferences, unsubscribe, confirm, more) must be http(s): anything else is a bug, not data. */
export function ownUrl(value: string, name: string): string {
  const url = toHttpUrl(value);
  if (url === undefined) throw new TemplateDataError(`${name} is not an absolute http(s) URL`);
  return url;
}

/** The footer's links, checked and normalised once for both the HTML and the text part. */
export function footerLinks(links: FooterLinks): FooterLinks {
  return {
    preferencesUrl: ownUrl(links.preferencesUrl, 'preferencesUrl'),
    unsubscribeUrl: ownUrl(links.unsubscribeUrl, 'unsubscribeUrl'),
  };
}

export function layoutScope(subject: string, preheader: string, footer: FooterLinks, footerNote: string, context: RenderContext): LayoutScope {
  return {
    subject,
    preheader,
    siteUrl: context.siteUrl,
    footerNote,
    preferencesUrl: footer.preferencesUrl,
    unsubscribeUrl: footer.unsubscribeUrl,
  };
}

export function footerText(links: FooterLinks, note: string): string {
  return `--\n${note}\nManage your preferences: ${links.preferencesUrl}\nUnsubscribe: ${links.unsubscribeUrl}\n`;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

export function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** Wraps prose at spaces for the plain-text part, every line indented; a longer word stays whole. */
export function wrapText(text: string, indent: string, width = 76): string {
  const max = Math.max(1, width - indent.length);
  let out = '';
  let start = 0;
  while (text.length - start > max) {
    let cut = text.lastIndexOf(' ', start + max);
    if (cut <= start) cut = text.indexOf(' ', start + max);
    if (cut < 0) break;
    out += `${indent}${text.slice(start, cut)}\n`;
    start = cut + 1;
  }
  return `${out}${indent}${text.slice(start)}`;
}

function writeArticleText(article: ArticleModel, indent: string): string {
  const byline = [article.author, article.tagLine].filter(Boolean).join(' · ');
  return [
    wrapText(article.title, indent),
    article.summary ? wrapText(article.summary, indent) : '',
    byline ? wrapText(byline, indent) : '',
    indent + article.url,
  ]
    .filter(Boolean)
    .join('\n');
}

export function relatedText(related: readonly ArticleModel[]): string {
  if (related.length === 0) return '';
  const lines = related.map((article) => `- ${article.title}${article.tagLine ? ` (${article.tagLine})` : ''}\n  ${article.url}`);
  return `RELATED STORIES\n\n${lines.join('\n\n')}\n\n`;
}
