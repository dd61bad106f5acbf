import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/config';
import { pushAudienceSlice } from '../push/push-subscriptions.repository';
import { PrismaService } from '../database/prisma.service';
import { Prisma } from '../generated/prisma/client';
import { Outbox } from '../deliveries/outbox';
import { SUBSCRIBER_SUPPRESSED } from '../suppression/email-hash';

export interface FanoutTarget {
  alertId: string;
  articleId: string;
  tags: readonly string[];
  relatedIds: readonly string[];
}

/**
 * An alert's audience (CONTRACT.md "Breaking alert"): confirmed subscribers with at
 * least one of the tags whose address is not suppressed. Counting and queueing share
 * this one predicate so the number an editor is shown is the number that gets queued.
 */
function audience(tags: readonly string[]): Prisma.Sql {
  return Prisma.sql`s."status" = 'confirmed' AND s."tags" && ${[...tags]}::text[]
    AND NOT ${SUBSCRIBER_SUPPRESSED}`;
}

/**
 * Reads an alert's audience a slice of subscribers at a time (keyset on id) and has
 * the outbox queue each slice straight from the subscriber table, so the first slice
 * is committed and sending while the rest is still being written.
 */
@Injectable()
export class AlertAudienceRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly outbox: Outbox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async countAudience(tags: readonly string[]): Promise<number> {
    const [row] = await this.prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM "Subscriber" s WHERE ${audience(tags)}`;
    return Number(row.n);
  }

  /**
   * Queues the next slice after `afterSubscriberId`; returns how many rows it wrote
   * and the last subscriber id it looked at, null once the audience is exhausted
   * (a short slice is the last one, which saves an empty round trip).
   */
  async queueSlice(target: FanoutTarget, afterSubscriberId: string | null, size: number): Promise<{ queued: number; last: string | null }> {
    const after = afterSubscriberId ?? '00000000-0000-0000-0000-000000000000';
    const slice = Prisma.sql`
      SELECT s."id" FROM "Subscriber" s
      WHERE s."id" > ${after}::uuid AND ${audience(target.tags)}
      ORDER BY s."id"
      LIMIT ${size}`;
    const { queued, scanned, last } = await this.outbox.queueAlertSlice(target, slice);
    return { queued, last: scanned < size ? null : last };
  }

  /**
   * The same for the alert's web pushes: the next slice of matching push subscriptions
   * after `afterId`. Without VAPID keys there are none to reach, and no query is made.
   */
  async queuePushSlice(target: FanoutTarget, afterId: string, size: number): Promise<{ queued: number; last: string | null }> {
    if (!this.config.push) return { queued: 0, last: null };
    const { queued, scanned, last } = await this.outbox.queuePushSlice(target, pushAudienceSlice(target.tags, afterId, size));
    return { queued, last: scanned < size ? null : last };
  }
}
