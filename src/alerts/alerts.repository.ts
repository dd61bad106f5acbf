import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { isUniqueViolation } from '../database/prisma-errors';
import type { Alert } from '../generated/prisma/client';

export interface StalledFanout {
  id: string;
  articleId: string;
  tags: string[];
  cursor: string | null;
  article: { tags: string[]; publishedAt: Date };
}

/**
 * The Alert table. A fan-out is leased like an outbox row: the instance writing an
 * alert's audience holds it until `fanoutLeaseUntil` and renews it as it goes; one
 * whose lease ran out (its instance crashed) is taken by exactly one other instance,
 * which goes on from the recorded cursor.
 */
@Injectable()
export class AlertsRepository {
  constructor(private readonly prisma: PrismaService) {}

  findById(id: string): Promise<Alert | null> {
    return this.prisma.alert.findUnique({ where: { id } });
  }

  latestForArticle(articleId: string): Promise<Alert | null> {
    return this.prisma.alert.findFirst({ where: { articleId }, orderBy: { sequence: 'desc' } });
  }

  /** Created with its fan-out leased to the caller; null when the (articleId, sequence) is taken: someone else's alert won. */
  async insert(data: { articleId: string; sequence: number; tags: string[]; sentBy: string }, leaseSeconds: number): Promise<{ id: string } | null> {
    try {
      return await this.prisma.alert.create({
        data: { ...data, fanoutLeaseUntil: new Date(Date.now() + leaseSeconds * 1000) },
        select: { id: true },
      });
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }

  async setRecipients(alertId: string, recipients: number): Promise<void> {
    await this.prisma.alert.updateMany({ where: { id: alertId, fannedOutAt: null }, data: { recipients } });
  }

  /** Records how far the fan-out got and extends its lease; false when it is no longer this holder's (or done). */
  async advanceFanout(alertId: string, cursor: string | null, leaseSeconds: number): Promise<boolean> {
    const changed = await this.prisma.$executeRaw`
      UPDATE "Alert" SET "fanoutCursor" = COALESCE(${cursor}::uuid, "fanoutCursor"),
        "fanoutLeaseUntil" = now() + make_interval(secs => ${leaseSeconds})
      WHERE "id" = ${alertId}::uuid AND "fannedOutAt" IS NULL`;
    return changed > 0;
  }

  /**
   * Takes over fan-outs whose lease ran out: one UPDATE … SKIP LOCKED, so of several
   * instances sweeping at once each stalled fan-out goes to exactly one.
   */
  async takeStalledFanouts(leaseSeconds: number, limit: number): Promise<StalledFanout[]> {
    const taken = await this.prisma.$queryRaw<{ id: string }[]>`
      UPDATE "Alert" SET "fanoutLeaseUntil" = now() + make_interval(secs => ${leaseSeconds})
      WHERE "id" IN (
        SELECT "id" FROM "Alert"
        WHERE "fannedOutAt" IS NULL AND ("fanoutLeaseUntil" IS NULL OR "fanoutLeaseUntil" < now())
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED)
      RETURNING "id"`;
    if (taken.length === 0) return [];
    const alerts = await this.prisma.alert.findMany({
      where: { id: { in: taken.map((row) => row.id) } },
      include: { article: { select: { tags: true, publishedAt: true } } },
    });
    return alerts.map((alert) => ({ id: alert.id, articleId: alert.articleId, tags: alert.tags, cursor: alert.fanoutCursor, article: alert.article }));
  }

  /**
   * Marks the fan-out complete, recording the final audience (its email rows; pushes are another channel).
   * Returns false when it was already marked, e.g. by another instance.
   */
  async markFannedOut(alertId: string): Promise<boolean> {
    const updated = await this.prisma.$executeRaw`
      UPDATE "Alert" SET "fannedOutAt" = now(), "fanoutLeaseUntil" = NULL,
        "recipients" = (SELECT count(*) FROM "Delivery" d WHERE d."alertId" = ${alertId}::uuid AND d."kind" = 'alert')
      WHERE "id" = ${alertId}::uuid AND "fannedOutAt" IS NULL`;
    return updated > 0;
  }
}
