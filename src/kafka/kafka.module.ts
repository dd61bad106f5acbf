import { Global, Module } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/config';
import { createKafka, KAFKA } from './kafka.provider';
import { KafkaTopicsService } from './kafka-topics.service';
import { DlqPublisher } from './dlq.publisher';

@Global()
@Module({
  providers: [
    { provide: KAFKA, inject: [APP_CONFIG], useFactory: (config: AppConfig) => createKafka(config) },
    KafkaTopicsService,
    DlqPublisher,
  ],
  exports: [KAFKA, KafkaTopicsService, DlqPublisher],
})
export class KafkaModule {}
