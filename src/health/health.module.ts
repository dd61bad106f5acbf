import { Module } from '@nestjs/common';
import { IngestionModule } from '../ingestion/ingestion.module';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';

@Module({ imports: [IngestionModule], controllers: [HealthController], providers: [HealthService] })
export class HealthModule {}
