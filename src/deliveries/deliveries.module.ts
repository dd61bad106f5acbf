import { Module } from '@nestjs/common';
import { SuppressionModule } from '../suppression/suppression.module';
import { ReaderLinks } from '../subscriptions/reader-links';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliveryComposer } from './delivery-composer';
import { DeliveryWorker } from './delivery-worker';
import { AlertProgressRepository } from './alert-progress.repository';
import { EligibilityWatch } from './eligibility-watch';
import { DeliveryFeedbackRepository } from './delivery-feedback.repository';

@Module({
  imports: [SuppressionModule],
  providers: [DeliveriesRepository, DeliveryComposer, DeliveryWorker, AlertProgressRepository, EligibilityWatch, ReaderLinks, DeliveryFeedbackRepository],
  exports: [DeliveriesRepository, DeliveryWorker, ReaderLinks, DeliveryFeedbackRepository],
})
export class DeliveriesModule {}
