import { HttpException, HttpStatus, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { clientOf } from '../rate-limits/client-key';
import { RateLimitStore } from '../rate-limits/rate-limit.store';
import { WindowLimit } from '../rate-limits/rate-window';

/**
 * New push subscriptions per client address: a browser subscribes once and again only
 * after a reset, so 20 in 10 minutes leaves room for a household or an office behind one
 * address while keeping one client from filling the table with made-up endpoints.
 */
export const PUSH_SUBSCRIBE_LIMIT = { limit: 20, windowMs: 10 * 60_000 } as const satisfies WindowLimit;

/**
 * Counts POST /push/subscriptions requests that would store a row (refused ones store
 * nothing and are not counted), per client address as Express derives it under
 * TRUST_PROXY. Counted in PostgreSQL like every rate limit, so all instances enforce one
 * limit; a refusal is a 429 with Retry-After.
 */
@Injectable()
export class PushSubscribeRateLimit {
  constructor(private readonly store: RateLimitStore) {}

  async admit(req: Request, res: Response): Promise<void> {
    const decision = await this.store.hit('push-subscribe-ip', clientOf(req), PUSH_SUBSCRIBE_LIMIT);
    if (decision.allowed) return;
    res.setHeader('Retry-After', String(decision.retryAfterSeconds));
    throw new HttpException('too many push subscriptions from this address; try again later', HttpStatus.TOO_MANY_REQUESTS);
  }
}
