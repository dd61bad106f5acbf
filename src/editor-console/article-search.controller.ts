import { BadRequestException, Controller, Get, Header, Query, UseGuards } from '@nestjs/common';
import { EditorAuthGuard } from '../editors/editor-auth.guard';
import { parseArticleSearch } from './article-search-query';
import { ArticleSearchHit, ArticleSearchRepository } from './article-search.repository';

/** GET /articles/search?q=&limit= — the editor console's article picker. */
@Controller('articles')
@UseGuards(EditorAuthGuard)
export class ArticleSearchController {
  constructor(private readonly articles: ArticleSearchRepository) {}

  @Get('search')
  @Header('Cache-Control', 'no-store')
  async search(@Query() query: unknown): Promise<ArticleSearchHit[]> {
    const parsed = parseArticleSearch(query);
    if (!parsed.ok) throw new BadRequestException(parsed.message);
    return this.articles.search(parsed.data);
  }
}
