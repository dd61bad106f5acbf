import { Controller, Get, Inject, Res, UseFilters } from '@nestjs/common';
import type { Response } from 'express';
import type { TagUse } from '../articles/articles.repository';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/config';
import { KnownTags } from './known-tags';
import { PageErrorFilter } from '../pages/page-error.filter';
import { sendPage } from '../pages/respond';
import { renderSubscribePage } from './views/subscribe-page';

/** The public front door: the subscribe page and the tags it offers. */
@Controller()
@UseFilters(PageErrorFilter)
export class HomeController {
  constructor(
    private readonly knownTags: KnownTags,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  async subscribePage(@Res() res: Response): Promise<void> {
    sendPage(res, 200, renderSubscribePage({ knownTags: await this.knownTags.list(), push: this.config.push !== null }));
  }

  /** Known tags, most used first: what a subscribe form can offer. */
  @Get('tags')
  async tags(): Promise<TagUse[]> {
    return this.knownTags.list();
  }
}
