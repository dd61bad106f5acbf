import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import type { ArticleEvent } from './article-event';

export interface UpsertOutcome {
  id: string;
  /** True when this event created the article (its first sighting). */
  inserted: boolean;
  /** The article was breaking when first seen: it is owed exactly one alert. */
  breakingOnArrival: boolean;
}

export interface TagUse {
  tag: string;
  articles: number;
}

/** Articles in PostgreSQL. Writes are idempotent: replaying an event changes nothing. */
@Injectable()
export class ArticlesRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Upserts a batch in one statement. A version older than the stored one
   * (earlier publishedAt) never overwrites it; within the batch the newest
   * version of each id wins, the later message breaking ties.
   */
  async upsertMany(events: readonly ArticleEvent[]): Promise<UpsertOutcome[]> {
    const latest = newestPerId(events);
    if (latest.length === 0) return [];
    const rows = JSON.stringify(
      latest.map((a) => ({
        id: a.id,
        title: a.title,
        url: a.url,
        summary: a.summary ?? null,
        author: a.author ?? null,
        imageUrl: a.imageUrl ?? null,
        breaking: a.breaking,
        tags: a.tags,
        publishedAt: a.publishedAt.toISOString(),
      })),
    );
    const outcomes = await this.prisma.$queryRaw<UpsertOutcome[]>`
      INSERT INTO "Article" ("id", "title", "url", "summary", "author", "imageUrl", "breaking", "breakingOnArrival", "tags", "publishedAt", "updatedAt")
      SELECT r."id", r."title", r."url", r."summary", r."author", r."imageUrl", r."breaking", r."breaking",
             ARRAY(SELECT jsonb_array_elements_text(r."tags")), r."publishedAt", now()
      FROM jsonb_to_recordset(${rows}::jsonb) AS r(
        "id" text, "title" text, "url" text, "summary" text, "author" text, "imageUrl" text,
        "breaking" boolean, "tags" jsonb, "publishedAt" timestamptz)
      ON CONFLICT ("id") DO UPDATE SET
        "title" = EXCLUDED."title", "url" = EXCLUDED."url", "summary" = EXCLUDED."summary",
        "author" = EXCLUDED."author", "imageUrl" = EXCLUDED."imageUrl", "breaking" = EXCLUDED."breaking",
        "tags" = EXCLUDED."tags", "publishedAt" = EXCLUDED."publishedAt", "updatedAt" = now()
      WHERE "Article"."publishedAt" <= EXCLUDED."publishedAt"
      RETURNING "id", (xmax = 0) AS "inserted", "breakingOnArrival"`;
    return outcomes;
  }

  /** Throws unless the article table can be read: tells "the database is down" from "this row is bad". */
  async probe(): Promise<void> {
    await this.prisma.$queryRaw`SELECT 1 FROM "Article" LIMIT 1`;
  }

  async tagUse(): Promise<TagUse[]> {
    const rows = await this.prisma.$queryRaw<{ tag: string; articles: bigint }[]>`
      SELECT t.tag, count(*) AS articles
      FROM "Article", unnest("Article"."tags") AS t(tag)
      GROUP BY t.tag
      ORDER BY articles DESC, t.tag ASC`;
    return rows.map((row) => ({ tag: row.tag, articles: Number(row.articles) }));
  }
}

function newestPerId(events: readonly ArticleEvent[]): ArticleEvent[] {
  const byId = new Map<string, ArticleEvent>();
  for (const event of events) {
    const seen = byId.get(event.id);
    if (!seen || seen.publishedAt.getTime() <= event.publishedAt.getTime()) byId.set(event.id, event);
  }
  return [...byId.values()];
}
