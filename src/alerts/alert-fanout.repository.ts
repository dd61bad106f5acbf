import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { Prisma } from '../generated/prisma/client';
import { PRIORITY } from '../deliveries/delivery.types';
import { SUBSCRIBER_SUPPRESSED } from '../suppression/email-hash';

export interface FanoutTarget {
  alertId: string;
  articleId: string;
  tags: readonly string[];
  relatedIds: readonly string[];
  messageHost: string;
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
 * Writes an alert's outbox rows straight from the subscriber table, a slice
 * of subscribers at a time (keyset on id), so the first slice is committed
 * and sending while the rest is still being written. Re-running a slice is a
 * no-op thanks to the dedupeKey, which is what makes a resumed fan-out safe.
 */
@Injectable()
export class AlertFanoutRepository {
  constructor(private readonly prisma: PrismaService) {}

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
    const [{ last, scanned, queued }] = await this.prisma.$queryRaw<{ last: string | null; scanned: bigint; queued: bigint }[]>`
      WITH slice AS (
        SELECT s."id" FROM "Subscriber" s
        WHERE s."id" > ${after}::uuid AND ${audience(target.tags)}
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
      SELECT (SELECT "id"::text FROM slice ORDER BY "id" DESC LIMIT 1) AS last,
             (SELECT count(*) FROM slice) AS scanned, (SELECT count(*) FROM inserted) AS queued`;
    return { queued: Number(queued), last: Number(scanned) < size ? null : last };
  }

  /**
   * Marks the fan-out complete, recording the final audience (its outbox rows).
   * Returns false when it was already marked, e.g. by another instance's sweep.
   */
  async markFannedOut(alertId: string): Promise<boolean> {
    const updated = await this.prisma.$executeRaw`
      UPDATE "Alert" SET "fannedOutAt" = now(),
        "recipients" = (SELECT count(*) FROM "Delivery" d WHERE d."alertId" = ${alertId}::uuid)
      WHERE "id" = ${alertId}::uuid AND "fannedOutAt" IS NULL`;
    return updated > 0;
  }
}
