import { DynamicModule, Module } from '@nestjs/common';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { SubscriptionsModule } from '../subscriptions/subscriptions.module';
import { SuppressionModule } from '../suppression/suppression.module';
import { BounceListener } from './bounce-listener';
import { FeedbackEventsRepository } from './feedback-events.repository';
import { FeedbackService } from './feedback.service';
import { DEFAULT_SNS_HOSTS, SNS_HOST_PATTERN } from './webhooks/sns-hosts';
import { WebhooksController } from './webhooks/webhooks.controller';

/**
 * Delivery feedback: what mailbox providers and relays tell us after an email left — bounces
 * and complaints — heard by the bounce listener and the relays' webhooks, applied by one pipeline.
 */
@Module({})
export class FeedbackModule {
  static forRoot(options: { snsHosts?: RegExp } = {}): DynamicModule {
    return {
      module: FeedbackModule,
      imports: [DeliveriesModule, SubscriptionsModule, SuppressionModule],
      controllers: [WebhooksController],
      providers: [FeedbackService, FeedbackEventsRepository, BounceListener, { provide: SNS_HOST_PATTERN, useValue: options.snsHosts ?? DEFAULT_SNS_HOSTS }],
      exports: [FeedbackService, BounceListener],
    };
  }
}
