import { DynamicModule, Inject, MiddlewareConsumer, Module, NestModule, OnApplicationShutdown, RequestMethod } from '@nestjs/common';
import type { Agent } from 'node:https';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/config';
import { RateLimitsModule } from '../rate-limits/rate-limits.module';
import { PushCorsMiddleware } from './push-cors';
import { PushSubscribeRateLimit } from './push-subscribe-rate-limit';
import { PushSubscriptionsController } from './push-subscriptions.controller';
import { PushSubscriptionsRepository } from './push-subscriptions.repository';
import { PUSH_TRANSPORT, PushTransport, WebPushTransport } from './push-transport';

/** Refuses every push: stands in while the VAPID keys are unset, when no push row is ever queued. */
class PushOff implements PushTransport {
  send() {
    return Promise.resolve({ status: 'rejected' as const, error: 'web push is not configured' });
  }
}

/** Web push: the subscriptions table and its endpoints, and the transport the outbox sends pushes through. */
@Module({})
export class PushModule implements NestModule, OnApplicationShutdown {
  /** `agent`: the HTTPS agent pushes go through (tests hand one that trusts their own push service's certificate). */
  static forRoot(agent?: Agent): DynamicModule {
    return {
      module: PushModule,
      global: true,
      imports: [RateLimitsModule],
      controllers: [PushSubscriptionsController],
      providers: [
        PushSubscriptionsRepository,
        PushCorsMiddleware,
        PushSubscribeRateLimit,
        {
          provide: PUSH_TRANSPORT,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig): PushTransport => (config.push ? new WebPushTransport(config.push, agent) : new PushOff()),
        },
      ],
      exports: [PushSubscriptionsRepository, PUSH_TRANSPORT],
    };
  }

  constructor(@Inject(PUSH_TRANSPORT) private readonly transport: PushTransport) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(PushCorsMiddleware).forRoutes({ path: 'push/*path', method: RequestMethod.ALL });
  }

  onApplicationShutdown(): void {
    if (this.transport instanceof WebPushTransport) this.transport.close();
  }
}
