import { Module } from '@nestjs/common';
import { ArticlesModule } from '../articles/articles.module';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { SubscriptionsModule } from '../subscriptions/subscriptions.module';
import { AlertAudienceRepository } from './alert-audience.repository';
import { AlertFanout } from './alert-fanout';
import { AlertPreview } from './alert-preview';
import { AlertRequestKeysRepository } from './alert-request-keys.repository';
import { AlertStatus } from './alert-status';
import { AlertProgress } from './alert-progress';
import { AlertProgressRepository } from './alert-progress.repository';
import { AlertsController } from './alerts.controller';
import { AlertsRepository } from './alerts.repository';
import { CancelAlert } from './cancel-alert';
import { CreateAlert } from './create-alert';
import { IdempotentAlertRequests } from './idempotent-alert-requests';
import { RelatedToAlert } from './related-to-alert';
import { ScheduledAlerts } from './scheduled-alerts';
import { SendAlert } from './send-alert';

@Module({
  imports: [ArticlesModule, DeliveriesModule, SubscriptionsModule],
  controllers: [AlertsController],
  providers: [
    AlertsRepository,
    AlertAudienceRepository,
    AlertProgressRepository,
    AlertProgress,
    AlertFanout,
    ScheduledAlerts,
    RelatedToAlert,
    CreateAlert,
    SendAlert,
    AlertPreview,
    AlertStatus,
    CancelAlert,
    AlertRequestKeysRepository,
    IdempotentAlertRequests,
  ],
  exports: [CreateAlert],
})
export class AlertsModule {}
