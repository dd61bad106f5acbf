import { Module } from '@nestjs/common';
import { ArticlesModule } from '../articles/articles.module';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { AlertAudienceRepository } from './alert-audience.repository';
import { AlertFanout } from './alert-fanout';
import { AlertPreview } from './alert-preview';
import { AlertProgress } from './alert-progress';
import { AlertProgressRepository } from './alert-progress.repository';
import { AlertsController } from './alerts.controller';
import { AlertsRepository } from './alerts.repository';
import { CreateAlert } from './create-alert';
import { RelatedToAlert } from './related-to-alert';
import { SendAlert } from './send-alert';

@Module({
  imports: [ArticlesModule, DeliveriesModule],
  controllers: [AlertsController],
  providers: [AlertsRepository, AlertAudienceRepository, AlertProgressRepository, AlertProgress, AlertFanout, RelatedToAlert, CreateAlert, SendAlert, AlertPreview],
  exports: [CreateAlert],
})
export class AlertsModule {}
