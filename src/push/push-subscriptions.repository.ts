import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { Prisma } from '../generated/prisma/client';

export interface NewPushSubscription {
  endpoint: string;
  p256dh: string;
  auth: string;
  tags: string[];
  staff: boolean;
}

/** The PushSubscription table's one owner. */
@Injectable()
export class PushSubscriptionsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * One row per endpoint: a browser that subscribes again (new keys after a reset, other
   * tags) replaces what it had, so it never gets two copies of one alert.
   */
  async save(subscription: NewPushSubscription): Promise<string> {
    const { endpoint, ...rest } = subscription;
    const saved = await this.prisma.pushSubscription.upsert({
      where: { endpoint },
      create: subscription,
      update: rest,
      select: { id: true },
    });
    return saved.id;
  }

  /** Returns false when there is no such subscription (any more). */
  async changeTags(id: string, tags: string[]): Promise<boolean> {
    const { count } = await this.prisma.pushSubscription.updateMany({ where: { id }, data: { tags } });
    return count > 0;
  }

  async remove(id: string): Promise<void> {
    await this.prisma.pushSubscription.deleteMany({ where: { id } });
  }
}

/** Who an alert's pushes go to: subscriptions with one of the tags, or (a test alert) the staff's, whatever their tags. */
export type PushAudience = { tags: readonly string[] } | 'staff';

function pushAudience(audience: PushAudience): Prisma.Sql {
  return audience === 'staff' ? Prisma.sql`p."staff"` : Prisma.sql`p."tags" && ${[...audience.tags]}::text[]`;
}

/**
 * The push subscriptions an alert reaches, after `afterId` in id order, `size` at a
 * time: a SELECT of ids for the outbox to queue straight from this table.
 */
export function pushAudienceSlice(audience: PushAudience, afterId: string, size: number): Prisma.Sql {
  return Prisma.sql`
    SELECT p."id" FROM "PushSubscription" p
    WHERE p."id" > ${afterId}::uuid AND ${pushAudience(audience)}
    ORDER BY p."id"
    LIMIT ${size}`;
}

/** How many push subscriptions an alert reaches: a SELECT of one column "n". */
export function pushAudienceCount(audience: PushAudience): Prisma.Sql {
  return Prisma.sql`SELECT count(*) AS n FROM "PushSubscription" p WHERE ${pushAudience(audience)}`;
}
