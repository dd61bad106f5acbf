import { Module } from '@nestjs/common';
import { SuppressionModule } from '../suppression/suppression.module';
import { ReaderLinks } from '../subscriptions/reader-links';
import { DeliveryComposer } from './delivery-composer';
import { CancelledAlertRows } from './cancelled-alert-rows.repository';
import { DeliveryCountsRepository } from './delivery-counts.repository';
import { DeliveryEvents } from './delivery-events';
import { DeliveryLeasesRepository } from './delivery-leases.repository';
import { DeliveryOutcomesRepository } from './delivery-outcomes.repository';
import { DeliveryRecorder } from './delivery-recorder';
import { DeliveryWorker } from './delivery-worker';
import { EligibilityWatch } from './eligibility-watch';
import { DeliveryFeedbackRepository } from './delivery-feedback.repository';
import { Outbox } from './outbox';
import { OutboxSignal } from './outbox-signal';
import { OutboxStatus } from './outbox-status';

@Module({
  imports: [SuppressionModule],
  providers: [
    Outbox,
    OutboxSignal,
    OutboxStatus,
    DeliveryEvents,
    DeliveryLeasesRepository,
    DeliveryOutcomesRepository,
    DeliveryCountsRepository,
    CancelledAlertRows,
    DeliveryFeedbackRepository,
    DeliveryRecorder,
    DeliveryComposer,
    DeliveryWorker,
    EligibilityWatch,
    ReaderLinks,
  ],
  exports: [Outbox, OutboxStatus, DeliveryEvents, DeliveryCountsRepository, CancelledAlertRows, DeliveryFeedbackRepository, ReaderLinks],
})
export class DeliveriesModule {}
