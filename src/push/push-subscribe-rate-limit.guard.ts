import { CanActivate, ExecutionContext, HttpException, HttpStatus, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { clientOf } from '../rate-limits/client-key';
import { RateLimitStore } from '../rate-limits/rate-limit.store';
import { WindowLimit } from '../rate-limits/rate-window';

/**
 * POST /push/subscriptions per client address: a browser subscribes once and again only
 * after a reset, so 20 in 10 minutes leaves room for a household or an office behind one
 * address while keeping one client from filling the table with made-up endpoints.
 */
export const PUSH_SUBSCRIBE_LIMIT = { limit: 20, windowMs: 10 * 60_000 } as const satisfies WindowLimit;

/** Counted in PostgreSQL like every rate limit, so all instances enforce one limit; a refusal is a 429 with Retry-After. */
@Injectable()
export class PushSubscribeRateLimitGuard implements CanActivate {
  constructor(private readonly store: RateLimitStore) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const decision = await this.store.hit('push-subscribe-ip', clientOf(http.getRequest<Request>()), PUSH_SUBSCRIBE_LIMIT);
    if (decision.allowed) return true;
    http.getResponse<Response>().setHeader('Retry-After', String(decision.retryAfterSeconds));
    throw new HttpException('too many push subscriptions from this address; try again later', HttpStatus.TOO_MANY_REQUESTS);
  }
}
