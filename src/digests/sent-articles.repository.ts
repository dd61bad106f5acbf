import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';

/** Outbox rows in these states have been, are being or may have been sent: their articles count as sent. */
const DELIVERED_OR_PENDING = ['queued', 'sending', 'sent', 'uncertain'];

/** The no-repeat rule's memory: which articles each subscriber already got in a digest or an alert. */
@Injectable()
export class SentArticlesRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * One query for a whole batch of subscribers. `since` bounds the scan to deliveries
   * created after the oldest candidate article was stored: an email cannot carry an
   * article that did not exist yet, so older rows cannot matter (and both times come
   * from the database clock).
   */
  async sentTo(subscriberIds: readonly string[], since: Date): Promise<Map<string, Set<string>>> {
    const sent = new Map<string, Set<string>>();
    if (subscriberIds.length === 0) return sent;
    const rows = await this.prisma.$queryRaw<{ subscriberId: string; articleIds: string[] }[]>`
      SELECT "subscriberId"::text AS "subscriberId", "articleIds" FROM "Delivery"
      WHERE "subscriberId" = ANY(${[...subscriberIds]}::uuid[])
        AND "createdAt" >= ${since.toISOString()}::timestamptz
        AND "kind" IN ('digest', 'alert')
        AND "status"::text = ANY(${DELIVERED_OR_PENDING}::text[])`;
    for (const row of rows) {
      let ids = sent.get(row.subscriberId);
      if (!ids) sent.set(row.subscriberId, (ids = new Set()));
      for (const id of row.articleIds) ids.add(id);
    }
    return sent;
  }
}
