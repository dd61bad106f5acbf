import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { Prisma } from '../generated/prisma/client';
import { ArticleSearch } from './article-search-query';

/** One article an editor can pick, with its latest alert so the console can say it was already sent. */
export interface ArticleSearchHit {
  id: string;
  title: string;
  tags: string[];
  publishedAt: string;
  breaking: boolean;
  alert: { alertId: string; status: string; createdAt: string } | null;
}

interface HitRow {
  id: string;
  title: string;
  tags: string[];
  publishedAt: Date;
  breaking: boolean;
  alertId: string | null;
  alertStatus: string | null;
  alertCreatedAt: Date | null;
}

/** Finds articles for the editor console: by title (case-insensitive substring), by tag or by exact id; newest first. */
@Injectable()
export class ArticleSearchRepository {
  constructor(private readonly prisma: PrismaService) {}

  async search(query: ArticleSearch): Promise<ArticleSearchHit[]> {
    const rows = await this.prisma.$queryRaw<HitRow[]>`
      SELECT a."id", a."title", a."tags", a."publishedAt", a."breaking",
             al."id"::text AS "alertId", al."status"::text AS "alertStatus", al."createdAt" AS "alertCreatedAt"
      FROM "Article" a
      LEFT JOIN LATERAL (
        SELECT x."id", x."status", x."createdAt" FROM "Alert" x
        WHERE x."articleId" = a."id" ORDER BY x."sequence" DESC LIMIT 1
      ) al ON true
      WHERE ${matching(query)}
      ORDER BY a."publishedAt" DESC, a."id"
      LIMIT ${query.limit}`;
    return rows.map(toHit);
  }
}

function matching(query: ArticleSearch): Prisma.Sql {
  if (query.titlePattern === null) return Prisma.sql`TRUE`;
  const byTag = query.tag === null ? Prisma.sql`FALSE` : Prisma.sql`a."tags" @> ARRAY[${query.tag}]::text[]`;
  // The pattern's wildcards were escaped with '\', PostgreSQL's default LIKE escape; said explicitly all the same.
  return Prisma.sql`(a."title" ILIKE ${query.titlePattern} ESCAPE '\\' OR a."id" = ${query.text} OR ${byTag})`;
}

function toHit(row: HitRow): ArticleSearchHit {
  return {
    id: row.id,
    title: row.title,
    tags: row.tags,
    publishedAt: row.publishedAt.toISOString(),
    breaking: row.breaking,
    alert:
      row.alertId === null || row.alertStatus === null || row.alertCreatedAt === null
        ? null
        : { alertId: row.alertId, status: row.alertStatus, createdAt: row.alertCreatedAt.toISOString() },
  };
}
