import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { Clock } from '../common/clock';
import { PrismaService } from '../database/prisma.service';
import { retryAfterSeconds, WindowLimit } from './rate-window';

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

const SWEEP_INTERVAL_MS = 60_000;

/**
 * Request counters in PostgreSQL, so every instance counts into the same row: one
 * atomic upsert-and-increment per hit (the row lock of ON CONFLICT orders concurrent
 * hits). A window starts at a subject's first hit, as a token bucket refilled at once
 * would. What is counted (a client address, a mailbox) is stored only as a hash.
 */
@Injectable()
export class RateLimitStore {
  constructor(
    private readonly prisma: PrismaService,
    private readonly clock: Clock,
  ) {}

  /** Counts one hit of `subject` against `name`'s limit and says whether it is within it. */
  async hit(name: string, subject: string, limit: WindowLimit): Promise<RateDecision> {
    const now = this.clock.now();
    const end = new Date(now.getTime() + limit.windowMs);
    const key = `${name}:${createHash('sha256').update(subject, 'utf8').digest('hex')}`;
    const [row] = await this.prisma.$queryRaw<{ hits: number; expiresAt: Date }[]>`
      INSERT INTO "RateLimitCounter" AS c ("key", "hits", "expiresAt")
      VALUES (${key}, 1, ${end})
      ON CONFLICT ("key") DO UPDATE SET
        "hits" = CASE WHEN c."expiresAt" <= ${now} THEN 1 ELSE c."hits" + 1 END,
        "expiresAt" = CASE WHEN c."expiresAt" <= ${now} THEN EXCLUDED."expiresAt" ELSE c."expiresAt" END
      RETURNING "hits", "expiresAt"`;
    return row.hits <= limit.limit ? { allowed: true } : { allowed: false, retryAfterSeconds: retryAfterSeconds(row.expiresAt, now) };
  }

  /** Windows that have ended count nothing: every instance sweeps them, which is harmless. */
  @Interval(SWEEP_INTERVAL_MS)
  async sweep(): Promise<void> {
    await this.prisma.rateLimitCounter.deleteMany({ where: { expiresAt: { lt: this.clock.now() } } });
  }
}
