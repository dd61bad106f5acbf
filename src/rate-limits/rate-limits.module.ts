import { Module } from '@nestjs/common';
import { RateLimitStore } from './rate-limit.store';

/** Rate limits every instance shares; owns the RateLimitCounter table. */
@Module({ providers: [RateLimitStore], exports: [RateLimitStore] })
export class RateLimitsModule {}
