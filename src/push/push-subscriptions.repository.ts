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

/**
 * The push subscriptions an alert on `tags` reaches, after `afterId` in id order, `size`
 * at a time: a SELECT of ids for the outbox to queue straight from this table.
 */
export function pushAudienceSlice(tags: readonly string[], afterId: string, size: number): Prisma.Sql {
  return Prisma.sql`
    SELECT p."id" FROM "PushSubscription" p
    WHERE p."id" > ${afterId}::uuid AND p."tags" && ${[...tags]}::text[]
    ORDER BY p."id"
    LIMIT ${size}`;
}
