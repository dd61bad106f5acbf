import { Module } from '@nestjs/common';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { IngestionModule } from '../ingestion/ingestion.module';
import { HealthController } from './health.controller';
import { HealthMonitor } from './health-monitor';

@Module({ imports: [IngestionModule, DeliveriesModule], controllers: [HealthController], providers: [HealthMonitor] })
export class HealthModule {}
