import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { PRIORITY } from '../deliveries/delivery.types';

export interface FanoutTarget {
  alertId: string;
  articleId: string;
  tags: readonly string[];
  relatedIds: readonly string[];
  messageHost: string;
}

/**
 * Writes an alert's outbox rows straight from the subscriber table, a slice
 * of subscribers at a time (keyset on id), so the first slice is committed
 * and sending while the rest is still being written. Re-running a slice is a
 * no-op thanks to the dedupeKey, which is what makes a resumed fan-out safe.
 */
@Injectable()
export class AlertFanoutRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Confirmed, non-suppressed subscribers with at least one of the tags. */
  async countAudience(tags: readonly string[]): Promise<number> {
    const [row] = await this.prisma.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM "Subscriber" s
      WHERE s."status" = 'confirmed' AND s."tags" && ${[...tags]}::text[]
        AND NOT EXISTS (SELECT 1 FROM "Suppression" x WHERE x."emailHash" = encode(sha256(convert_to(s."email", 'UTF8')), 'hex'))`;
    return Number(row.n);
  }

  /**
   * Queues the next slice after `afterSubscriberId`; returns how many rows it
   * wrote and the last subscriber id it looked at (null when the audience is exhausted).
   */
  async queueSlice(target: FanoutTarget, afterSubscriberId: string | null, size: number): Promise<{ queued: number; last: string | null }> {
    const after = afterSubscriberId ?? '00000000-0000-0000-0000-000000000000';
    const rows = await this.prisma.$queryRaw<{ last: string | null; queued: bigint }[]>`
      WITH slice AS (
        SELECT s."id" FROM "Subscriber" s
        WHERE s."id" > ${after}::uuid AND s."status" = 'confirmed' AND s."tags" && ${[...target.tags]}::text[]
          AND NOT EXISTS (SELECT 1 FROM "Suppression" x WHERE x."emailHash" = encode(sha256(convert_to(s."email", 'UTF8')), 'hex'))
        ORDER BY s."id"
        LIMIT ${size}
      ), inserted AS (
        INSERT INTO "Delivery" ("kind", "dedupeKey", "messageId", "priority", "subscriberId", "alertId", "articleIds", "relatedIds")
        SELECT 'alert', 'alert:' || ${target.alertId} || ':' || slice."id",
               '<alert.' || ${target.alertId} || '.' || slice."id" || '@' || ${target.messageHost} || '>',
               ${PRIORITY.alert}, slice."id", ${target.alertId}::uuid, ARRAY[${target.articleId}]::text[], ${[...target.relatedIds]}::text[]
        FROM slice
        ON CONFLICT ("dedupeKey") DO NOTHING
        RETURNING 1
      )
      SELECT (SELECT "id"::text FROM slice ORDER BY "id" DESC LIMIT 1) AS last, (SELECT count(*) FROM inserted) AS queued`;
    const [{ last, queued }] = rows;
    return { queued: Number(queued), last };
  }
}
