import { Module } from '@nestjs/common';
import { ArticlesModule } from '../articles/articles.module';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { PagesModule } from '../pages/pages.module';
import { SuppressionModule } from '../suppression/suppression.module';
import { HomeController } from './home.controller';
import { KnownTags } from './known-tags';
import { PreferencesController } from './preferences.controller';
import { RateLimitsModule } from '../rate-limits/rate-limits.module';
import { SubscribeRateLimitGuard } from './subscribe-rate-limit.guard';
import { SubscribersRepository } from './subscribers.repository';
import { SubscriptionsController } from './subscriptions.controller';
import { SubscriptionsService } from './subscriptions.service';
import { UnsubscribeController } from './unsubscribe.controller';

/** The reader side: subscribe page and API, double opt-in, preference centre, unsubscribe, erasure. */
@Module({
  imports: [ArticlesModule, DeliveriesModule, SuppressionModule, PagesModule, RateLimitsModule],
  controllers: [HomeController, SubscriptionsController, PreferencesController, UnsubscribeController],
  providers: [SubscriptionsService, KnownTags, SubscribersRepository, SubscribeRateLimitGuard],
  exports: [SubscriptionsService, SubscribersRepository],
})
export class SubscriptionsModule {}
