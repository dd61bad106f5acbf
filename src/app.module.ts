import { DynamicModule, Global, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { LoggerModule } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { Clock, SystemClock } from './common/clock';
import { DatabaseModule } from './database/database.module';
import { KafkaModule } from './kafka/kafka.module';
import { MetricsModule } from './metrics/metrics.module';
import { MailModule } from './mail/mail.module';
import { IngestionModule } from './ingestion/ingestion.module';
import { AlertsModule } from './alerts/alerts.module';
import { DeliveriesModule } from './deliveries/deliveries.module';
import { HealthModule } from './health/health.module';
import { EditorConsoleModule } from './editor-console/editor-console.module';
import { DigestsModule } from './digests/digests.module';
import { SubscriptionsModule } from './subscriptions/subscriptions.module';
import { FeedbackModule } from './feedback/feedback.module';
import { PushModule } from './push/push.module';
import type { Agent } from 'node:https';

@Global()
@Module({})
class ClockModule {
  static forRoot(clock: Clock): DynamicModule {
    return { module: ClockModule, providers: [{ provide: Clock, useValue: clock }], exports: [Clock] };
  }
}

export interface AppOptions {
  /** Tests pin time here; production uses the system clock. */
  clock?: Clock;
  /** Where SNS signing certificates may be fetched from; tests serve their own on loopback. Amazon's SNS hosts otherwise. */
  snsHosts?: RegExp;
  /** The HTTPS agent web pushes go through: tests give one that trusts their loopback push service. */
  pushAgent?: Agent;
}

/** The whole service. The folder tree reads as the data path: event in → article → match → outbox → SMTP. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, options: AppOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            // Echoed back so a caller (or a proxy's log) can quote the id of the request that failed.
            genReqId: (req: IncomingMessage, res: ServerResponse) => {
              const given = req.headers['x-request-id'];
              const id = typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : randomUUID();
              res.setHeader('X-Request-Id', id);
              return id;
            },
            // Tokens travel in query strings: log the path only. Response headers are the same on every line.
            serializers: {
              req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0] }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
            // Probes and scrapes arrive every few seconds and would drown the requests worth reading.
            autoLogging: { ignore: (req: IncomingMessage) => /^\/(health|health\/live|metrics)(\?|$)/.test(req.url ?? '') },
            redact: ['req.headers.authorization', 'req.headers.cookie'],
          },
        }),
        ScheduleModule.forRoot(),
        ClockModule.forRoot(options.clock ?? new SystemClock()),
        DatabaseModule,
        KafkaModule,
        MetricsModule,
        MailModule,
        PushModule.forRoot(options.pushAgent),
        DeliveriesModule,
        AlertsModule,
        DigestsModule,
        SubscriptionsModule,
        FeedbackModule.forRoot({ snsHosts: options.snsHosts }),
        IngestionModule,
        HealthModule,
        EditorConsoleModule,
      ],
    };
  }
}
