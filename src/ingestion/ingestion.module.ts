import { Module } from '@nestjs/common';
import { ArticlesModule } from '../articles/articles.module';
import { AlertsModule } from '../alerts/alerts.module';
import { ArticleIngestionService } from './article-ingestion.service';
import { ArticleEventsConsumer } from './article-events.consumer';

@Module({
  imports: [ArticlesModule, AlertsModule],
  providers: [ArticleIngestionService, ArticleEventsConsumer],
  exports: [ArticleEventsConsumer],
})
export class IngestionModule {}
