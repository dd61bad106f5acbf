import type { ArticleView } from '../mail/email-data';

/** The stored columns an email shows of an article. */
export interface ArticleViewRow {
  id: string;
  title: string;
  url: string;
  summary: string | null;
  tags: string[];
  imageUrl: string | null;
  publishedAt: Date;
  author: string | null;
}

/** A stored article as every email template takes it (absent optional fields, not nulls). */
export function toArticleView(row: ArticleViewRow): ArticleView {
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

/** "and N more" points at the news site the stories come from. */
export function siteOf(url: string): string {
  return `${new URL(url).origin}/`;
}
