import { Module } from '@nestjs/common';
import { ArticlesRepository } from './articles.repository';
import { RelatedArticlesService } from './related-articles.service';

@Module({ providers: [ArticlesRepository, RelatedArticlesService], exports: [ArticlesRepository, RelatedArticlesService] })
export class ArticlesModule {}
