import { DynamicModule, Global, INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { Clock } from '../../src/common/clock';
import { AppConfig } from '../../src/config/config';
import { ConfigModule } from '../../src/config/config.module';
import { DatabaseModule } from '../../src/database/database.module';
import { DeliveriesModule } from '../../src/deliveries/deliveries.module';
import { DigestsModule } from '../../src/digests/digests.module';
import { MailModule } from '../../src/mail/mail.module';
import { MetricsModule } from '../../src/metrics/metrics.module';
import { PushModule } from '../../src/push/push.module';

@Global()
@Module({})
class BenchClockModule {
  static forRoot(clock: Clock): DynamicModule {
    return { module: BenchClockModule, providers: [{ provide: Clock, useValue: clock }], exports: [Clock] };
  }
}

/**
 * The part of the service a digest run goes through — scheduler, run, outbox worker,
 * renderer, SMTP transport, database — wired exactly as AppModule wires it, minus
 * HTTP and Kafka, which a digest run never touches.
 */
@Module({})
class DigestServiceModule {
  static forRoot(config: AppConfig, clock: Clock): DynamicModule {
    return {
      module: DigestServiceModule,
      imports: [
        ConfigModule.forRoot(config),
        ScheduleModule.forRoot(),
        BenchClockModule.forRoot(clock),
        DatabaseModule,
        MetricsModule,
        MailModule,
        DeliveriesModule,
        PushModule.forRoot(),
        DigestsModule,
      ],
    };
  }
}

export function startDigestService(config: AppConfig, clock: Clock): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(DigestServiceModule.forRoot(config, clock), { logger: ['error', 'warn'] });
}
