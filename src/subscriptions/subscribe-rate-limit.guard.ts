import { CanActivate, ExecutionContext, HttpException, HttpStatus, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { clientOf } from '../rate-limits/client-key';
import { WindowLimit } from '../rate-limits/rate-window';
import { RateLimitStore } from '../rate-limits/rate-limit.store';
import { mailboxOf } from '../suppression/email-hash';
import { normalizeEmailAddress } from './email-address';

export const SUBSCRIBE_LIMITS = {
  /** Requests per client address per minute: enough for a household behind one NAT, not for a bot. */
  perIp: { limit: 10, windowMs: 60_000 },
  /** Requests per mailbox per 10 minutes, whoever sends them. */
  perAddress: { limit: 3, windowMs: 10 * 60_000 },
} as const satisfies Record<string, WindowLimit>;

function mailboxIn(req: Request): string | null {
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null) return null;
  const result = normalizeEmailAddress((body as { email?: unknown }).email);
  return result.ok ? mailboxOf(result.email) : null;
}

/**
 * Rate limits for POST /subscriptions, per client (the address Express derives under
 * TRUST_PROXY, so a header from an untrusted hop picks nothing) and per mailbox (case
 * and +suffix folded), counted in PostgreSQL so that every instance enforces one limit.
 * A refusal is a 429 with Retry-After only: remaining counts per mailbox would tell a
 * prober how often someone else had entered that address.
 */
@Injectable()
export class SubscribeRateLimitGuard implements CanActivate {
  constructor(private readonly store: RateLimitStore) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    await this.count(http.getResponse<Response>(), 'subscribe-ip', clientOf(req), SUBSCRIBE_LIMITS.perIp);
    const mailbox = mailboxIn(req);
    if (mailbox !== null) await this.count(http.getResponse<Response>(), 'subscribe-mailbox', mailbox, SUBSCRIBE_LIMITS.perAddress);
    return true;
  }

  private async count(res: Response, name: string, subject: string, limit: WindowLimit): Promise<void> {
    const decision = await this.store.hit(name, subject, limit);
    if (decision.allowed) return;
    res.setHeader('Retry-After', String(decision.retryAfterSeconds));
    throw new HttpException('too many subscription requests; try again later', HttpStatus.TOO_MANY_REQUESTS);
  }
}
