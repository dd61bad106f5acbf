import { Module } from '@nestjs/common';
import { IngestionModule } from '../ingestion/ingestion.module';
import { HealthController } from './health.controller';
import { HealthMonitor } from './health-monitor';

@Module({ imports: [IngestionModule], controllers: [HealthController], providers: [HealthMonitor] })
export class HealthModule {}
