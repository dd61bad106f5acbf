import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { isUniqueViolation } from '../database/prisma-errors';
import { FeedbackEvent } from './feedback-event';
import { nextStreak, SoftBounceStreak } from './soft-bounce-streak';

/** feedback/'s own tables: the events heard (one row per event, which makes a repeat a no-op) and soft-bounce streaks. */
@Injectable()
export class FeedbackEventsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** false when this event was heard before. */
  async record(event: FeedbackEvent, deliveryId: bigint): Promise<boolean> {
    try {
      await this.prisma.feedbackEvent.create({ data: { key: event.key, source: event.source, type: event.type, deliveryId } });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /** Its effect could not be applied: forgotten, so the sender's retry applies it. */
  async forget(key: string): Promise<void> {
    await this.prisma.feedbackEvent.deleteMany({ where: { key } });
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
