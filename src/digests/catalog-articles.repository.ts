import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { CatalogArticle } from './article-catalog';

/** Loads what a digest run matches against: ids, tags and times only, never titles or bodies. */
@Injectable()
export class CatalogArticlesRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Articles published in (from, to], on the publishedAt index. */
  async publishedIn(from: Date, to: Date): Promise<CatalogArticle[]> {
    return this.prisma.article.findMany({
      where: { publishedAt: { gt: from, lte: to } },
      select: { id: true, tags: true, publishedAt: true, createdAt: true },
    });
  }
}
