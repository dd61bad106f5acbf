import { Module } from '@nestjs/common';
import { PagesModule } from '../pages/pages.module';
import { ArticleSearchController } from './article-search.controller';
import { ArticleSearchRepository } from './article-search.repository';
import { EditorAssets, loadEditorAssets } from './editor-assets';
import { EditorConsoleController } from './editor-console.controller';

/**
 * The editor console: GET /editor (page and assets) and GET /articles/search, its
 * article picker. Previews and sending go through the alerts and digests APIs.
 */
@Module({
  // The page uses the reader pages' stylesheet, which PagesModule serves.
  imports: [PagesModule],
  controllers: [EditorConsoleController, ArticleSearchController],
  providers: [ArticleSearchRepository, { provide: EditorAssets, useFactory: () => loadEditorAssets() }],
})
export class EditorConsoleModule {}
