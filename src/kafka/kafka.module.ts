import { Global, Module } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/config';
import { createKafka, KAFKA } from './kafka.provider';
import { KafkaTopicsService } from './kafka-topics.service';
import { DlqPublisher } from './dlq.publisher';
import { KafkaProbe } from './kafka-probe';

@Global()
@Module({
  providers: [
    { provide: KAFKA, inject: [APP_CONFIG], useFactory: (config: AppConfig) => createKafka(config) },
    KafkaTopicsService,
    DlqPublisher,
    KafkaProbe,
  ],
  exports: [KAFKA, KafkaTopicsService, DlqPublisher, KafkaProbe],
})
export class KafkaModule {}
