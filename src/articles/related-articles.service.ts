import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { CandidateArticle, selectRelatedStories } from '../digests/related';

/** How far back related stories reach. */
export const RELATED_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;
const POOL_LIMIT = 1000;

/** Related stories for one-off emails (alerts, previews): loads a pool, ranks it with the pure function. */
@Injectable()
export class RelatedArticlesService {
  constructor(private readonly prisma: PrismaService) {}

  async relatedTo(articles: readonly CandidateArticle[], at: Date, exclude: ReadonlySet<string>, limit: number): Promise<CandidateArticle[]> {
    const tags = [...new Set(articles.flatMap((a) => a.tags))];
    if (tags.length === 0) return [];
    const pool = await this.prisma.article.findMany({
      where: { publishedAt: { gt: new Date(at.getTime() - RELATED_WINDOW_MS), lte: at }, tags: { hasSome: tags } },
      select: { id: true, tags: true, publishedAt: true },
      orderBy: { publishedAt: 'desc' },
      take: POOL_LIMIT,
    });
    return selectRelatedStories({ digestArticles: articles, pool, exclude, at, limit });
  }
}
