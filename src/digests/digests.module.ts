import { Module } from '@nestjs/common';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { CatalogArticlesRepository } from './catalog-articles.repository';
import { DigestPreviewService } from './digest-preview.service';
import { DigestRunService } from './digest-run.service';
import { DigestRunsRepository } from './digest-runs.repository';
import { DigestScheduler } from './digest-scheduler';
import { DigestSubscribersRepository } from './digest-subscribers.repository';
import { DigestsController } from './digests.controller';
import { SentArticlesRepository } from './sent-articles.repository';

/** Scheduled digests: the tick, the run that decides and queues, the editor's run and preview endpoints. */
@Module({
  imports: [DeliveriesModule],
  controllers: [DigestsController],
  providers: [
    DigestScheduler,
    DigestRunService,
    DigestPreviewService,
    DigestSubscribersRepository,
    CatalogArticlesRepository,
    SentArticlesRepository,
    DigestRunsRepository,
  ],
  exports: [DigestRunService],
})
export class DigestsModule {}
