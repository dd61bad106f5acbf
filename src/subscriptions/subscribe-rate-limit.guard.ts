import { ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { normalizeIp, ThrottlerGuard, ThrottlerModuleOptions, ThrottlerStorageService } from '@nestjs/throttler';
import type { Request } from 'express';
import { emailHash } from '../suppression/email-hash';
import { normalizeEmailAddress } from './email-address';

export const SUBSCRIBE_LIMITS = {
  /** Requests per client address per minute: enough for a household behind one NAT, not for a bot. */
  perIp: { limit: 10, ttl: 60_000 },
  /** Requests per email address per 10 minutes, whoever sends them. */
  perAddress: { limit: 3, ttl: 10 * 60_000 },
} as const;

/** This guard's own counters, so no other module's throttling shares (or resets) them. */
@Injectable()
export class SubscribeRateLimitStorage extends ThrottlerStorageService {}

function addressOf(req: Request): string | null {
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null) return null;
  const result = normalizeEmailAddress((body as { email?: unknown }).email);
  return result.ok ? result.email : null;
}

const OPTIONS: ThrottlerModuleOptions = {
  errorMessage: 'too many subscription requests; try again later',
  throttlers: [
    {
      name: 'ip',
      ...SUBSCRIBE_LIMITS.perIp,
      // The socket's address only: trust proxy is off, so X-Forwarded-For cannot pick the bucket.
      getTracker: (req) => normalizeIp((req as Request).socket.remoteAddress ?? 'unknown'),
    },
    {
      name: 'address',
      ...SUBSCRIBE_LIMITS.perAddress,
      skipIf: (context: ExecutionContext) => addressOf(context.switchToHttp().getRequest<Request>()) === null,
      // Per mailbox: another letter case or +suffix must not buy another bucket for the same inbox.
      getTracker: (req) => emailHash(addressOf(req as Request) ?? ''),
    },
  ],
};

/**
 * Rate limits for POST /subscriptions, per client IP and per normalised address,
 * answering 429 with a standard Retry-After. The per-address count does not depend
 * on whether the address is known, so it reveals nothing about it.
 */
@Injectable()
export class SubscribeRateLimitGuard extends ThrottlerGuard {
  // Explicit tokens: the base class's own parameter decorators would otherwise win.
  constructor(@Inject(SubscribeRateLimitStorage) storage: SubscribeRateLimitStorage, @Inject(Reflector) reflector: Reflector) {
    super(OPTIONS, storage, reflector);
  }

  /**
   * Only Retry-After, under its standard name (the library would say "Retry-After-ip").
   * The X-RateLimit-Remaining counts are left out: per address, they would tell a
   * prober how often someone else had entered that address.
   */
  protected override setResponseHeader(res: Record<string, unknown>, name: string, value: string | number): void {
    if (name.startsWith('Retry-After')) super.setResponseHeader(res, 'Retry-After', value);
  }
}
