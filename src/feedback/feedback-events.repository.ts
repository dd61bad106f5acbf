import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { FeedbackEvent } from './feedback-event';
import { nextStreak, SoftBounceStreak } from './soft-bounce-streak';

/** feedback/'s own tables: the events heard (one row per event, which makes a repeat a no-op) and soft-bounce streaks. */
@Injectable()
export class FeedbackEventsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** false when this event was heard before. On the pg pool, like every statement a DSN costs (bench/bounces). */
  async record(event: FeedbackEvent, deliveryId: bigint): Promise<boolean> {
    const { rowCount } = await this.prisma.pool.query(
      `INSERT INTO "FeedbackEvent" ("key", "source", "type", "deliveryId") VALUES ($1, $2, $3, $4) ON CONFLICT ("key") DO NOTHING`,
      [event.key, event.source, event.type, String(deliveryId)],
    );
    return rowCount === 1;
  }

  /** Its effect could not be applied: forgotten, so the sender's retry applies it. */
  async forget(key: string): Promise<void> {
    await this.prisma.pool.query(`DELETE FROM "FeedbackEvent" WHERE "key" = $1`, [key]);
  }

  /** One more soft bounce for a reader; the streak as it now stands. */
  async addSoftBounce(subscriberId: string, deliveryId: bigint, at: Date): Promise<SoftBounceStreak> {
    return this.prisma.$transaction(async (tx) => {
      const [previous] = await tx.$queryRaw<SoftBounceStreak[]>`
        SELECT "count", "firstAt", "lastAt", "lastDeliveryId" FROM "SoftBounceStreak" WHERE "subscriberId" = ${subscriberId}::uuid FOR UPDATE`;
      const streak = nextStreak(previous ?? null, deliveryId, at);
      await tx.softBounceStreak.upsert({ where: { subscriberId }, create: { subscriberId, ...streak }, update: streak });
      return streak;
    });
  }

  /** Mail reached the reader: whatever soft bounces came before were not "in a row". */
  async endStreak(subscriberId: string): Promise<void> {
    await this.prisma.softBounceStreak.deleteMany({ where: { subscriberId } });
  }
}
