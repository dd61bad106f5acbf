import { Module } from '@nestjs/common';
import { ArticlesModule } from '../articles/articles.module';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { AlertFanoutRepository } from './alert-fanout.repository';
import { AlertsService } from './alerts.service';

@Module({
  imports: [ArticlesModule, DeliveriesModule],
  providers: [AlertsService, AlertFanoutRepository],
  exports: [AlertsService],
})
export class AlertsModule {}
