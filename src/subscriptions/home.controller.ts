import { Controller, Get, Res, UseFilters } from '@nestjs/common';
import type { Response } from 'express';
import { ArticlesRepository, TagUse } from '../articles/articles.repository';
import { PageErrorFilter } from '../pages/page-error.filter';
import { sendPage } from '../pages/respond';
import { renderSubscribePage } from './views/subscribe-page';

/** The public front door: the subscribe page and the tags it offers. */
@Controller()
@UseFilters(PageErrorFilter)
export class HomeController {
  constructor(private readonly articles: ArticlesRepository) {}

  @Get()
  async subscribePage(@Res() res: Response): Promise<void> {
    sendPage(res, 200, renderSubscribePage({ knownTags: await this.articles.tagUse() }));
  }

  /** Known tags, most used first: what a subscribe form can offer. */
  @Get('tags')
  async tags(): Promise<TagUse[]> {
    return this.articles.tagUse();
  }
}
