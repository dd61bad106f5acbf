import { Module } from '@nestjs/common';
import { ArticlesModule } from '../articles/articles.module';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { AlertFanoutRepository } from './alert-fanout.repository';
import { AlertPreview } from './alert-preview';
import { AlertsController } from './alerts.controller';
import { AlertsService } from './alerts.service';
import { SendAlert } from './send-alert';

@Module({
  imports: [ArticlesModule, DeliveriesModule],
  controllers: [AlertsController],
  providers: [AlertsService, AlertFanoutRepository, SendAlert, AlertPreview],
  exports: [AlertsService],
})
export class AlertsModule {}
