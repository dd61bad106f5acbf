import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import type { ArticleEvent } from './article-event';
import { latestVersions } from './article-versions';

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
   * Upserts a run of events (in arrival order) in one statement. The last version of
   * each id wins, unless it is stale (article-versions.ts): a stale version changes
   * nothing and is left out of the outcomes, which name only what was stored.
   */
  async upsertMany(events: readonly ArticleEvent[]): Promise<UpsertOutcome[]> {
    const { latest } = latestVersions(events);
    if (latest.length === 0) return [];
    const rows = JSON.stringify(
      latest.map(({ event: a, revisedAt }) => ({
        id: a.id,
        title: a.title,
        url: a.url,
        summary: a.summary ?? null,
        author: a.author ?? null,
        imageUrl: a.imageUrl ?? null,
        breaking: a.breaking,
        tags: a.tags,
        publishedAt: a.publishedAt.toISOString(),
        revisedAt: revisedAt?.toISOString() ?? null,
      })),
    );
    const outcomes = await this.prisma.$queryRaw<UpsertOutcome[]>`
      INSERT INTO "Article" ("id", "title", "url", "summary", "author", "imageUrl", "breaking", "breakingOnArrival", "tags", "publishedAt", "revisedAt", "updatedAt")
      SELECT r."id", r."title", r."url", r."summary", r."author", r."imageUrl", r."breaking", r."breaking",
             ARRAY(SELECT jsonb_array_elements_text(r."tags")), r."publishedAt", r."revisedAt", now()
      FROM jsonb_to_recordset(${rows}::jsonb) AS r(
        "id" text, "title" text, "url" text, "summary" text, "author" text, "imageUrl" text,
        "breaking" boolean, "tags" jsonb, "publishedAt" timestamptz, "revisedAt" timestamptz)
      ON CONFLICT ("id") DO UPDATE SET
        "title" = EXCLUDED."title", "url" = EXCLUDED."url", "summary" = EXCLUDED."summary",
        "author" = EXCLUDED."author", "imageUrl" = EXCLUDED."imageUrl", "breaking" = EXCLUDED."breaking",
        "tags" = EXCLUDED."tags", "publishedAt" = EXCLUDED."publishedAt",
        "revisedAt" = GREATEST("Article"."revisedAt", EXCLUDED."revisedAt"), "updatedAt" = now()
      WHERE EXCLUDED."revisedAt" IS NULL OR "Article"."revisedAt" IS NULL OR EXCLUDED."revisedAt" >= "Article"."revisedAt"
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
