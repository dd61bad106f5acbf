import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { Prisma } from '../generated/prisma/client';
import { ClaimedDelivery, NewDelivery, PRIORITY } from './delivery.types';

type Tx = Prisma.TransactionClient | PrismaService;

/**
 * The outbox. Rows are claimed with FOR UPDATE SKIP LOCKED under a lease, so
 * any number of instances can drain it and no row is sent by two at once.
 */
@Injectable()
export class DeliveriesRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Writes rows, ignoring those whose dedupeKey exists: deciding twice queues once. */
  async enqueue(rows: readonly NewDelivery[], tx: Tx = this.prisma): Promise<number> {
    if (rows.length === 0) return 0;
    const { count } = await tx.delivery.createMany({
      data: rows.map((row) => ({
        kind: row.kind,
        dedupeKey: row.dedupeKey,
        messageId: row.messageId,
        priority: PRIORITY[row.kind],
        subscriberId: row.subscriberId,
        alertId: row.alertId,
        runId: row.runId,
        articleIds: row.articleIds ?? [],
        relatedIds: row.relatedIds ?? [],
        payload: { ...(row.payload ?? {}) },
      })),
      skipDuplicates: true,
    });
    return count;
  }

  /**
   * Claims up to `limit` due rows, most urgent first, and leases them.
   * Rows whose lease ran out mid-send come back as `uncertain` and are
   * claimed again (same Message-ID) so the one unknowable case is resent once.
   */
  async claim(limit: number, leaseSeconds: number): Promise<ClaimedDelivery[]> {
    await this.prisma.$executeRaw`
      UPDATE "Delivery" SET "status" = 'uncertain', "nextAttemptAt" = now()
      WHERE "status" = 'sending' AND "leaseUntil" < now()`;
    return this.prisma.$queryRaw<ClaimedDelivery[]>`
      WITH picked AS (
        SELECT "id", "status" AS "previousStatus" FROM "Delivery"
        WHERE "status" IN ('queued', 'uncertain') AND "nextAttemptAt" <= now()
        ORDER BY "priority", "nextAttemptAt", "id"
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      ), leased AS (
        UPDATE "Delivery" d
        SET "status" = 'sending', "attempts" = d."attempts" + 1,
            "leaseUntil" = now() + make_interval(secs => ${leaseSeconds})
        FROM picked
        WHERE d."id" = picked."id"
        RETURNING d.*, picked."previousStatus"
      )
      SELECT l."id", l."kind", l."messageId", l."status", l."attempts", l."subscriberId", l."alertId",
             l."articleIds", l."relatedIds", l."payload",
             (l."previousStatus" = 'uncertain') AS "wasUncertain",
             s."email", s."status"::text AS "subscriberStatus", s."tokenVersion",
             EXISTS (SELECT 1 FROM "Suppression" x WHERE x."emailHash" = encode(sha256(convert_to(s."email", 'UTF8')), 'hex')) AS "suppressed",
             a."createdAt" AS "alertCreatedAt"
      FROM leased l
      LEFT JOIN "Subscriber" s ON s."id" = l."subscriberId"
      LEFT JOIN "Alert" a ON a."id" = l."alertId"
      ORDER BY l."priority", l."id"`;
  }

  async markSent(ids: readonly bigint[]): Promise<void> {
    if (ids.length === 0) return;
    await this.prisma.$executeRaw`
      UPDATE "Delivery" SET "status" = 'sent', "sentAt" = now(), "leaseUntil" = NULL, "lastError" = NULL
      WHERE "id" = ANY(${[...ids]}::bigint[]) AND "status" = 'sending'`;
  }

  async markSkipped(id: bigint, reason: string): Promise<void> {
    await this.prisma.delivery.updateMany({
      where: { id, status: 'sending' },
      data: { status: 'skipped', lastError: reason, leaseUntil: null },
    });
  }

  async markRetry(id: bigint, delayMs: number, error: string): Promise<void> {
    await this.prisma.delivery.updateMany({
      where: { id, status: 'sending' },
      data: { status: 'queued', lastError: error, leaseUntil: null, nextAttemptAt: new Date(Date.now() + delayMs) },
    });
  }

  async markFailed(id: bigint, error: string): Promise<void> {
    await this.prisma.delivery.updateMany({
      where: { id, status: 'sending' },
      data: { status: 'failed', lastError: error, leaseUntil: null },
    });
  }

  /** Gives claimed-but-unsent rows back at shutdown, without counting the attempt. */
  async release(ids: readonly bigint[]): Promise<void> {
    if (ids.length === 0) return;
    await this.prisma.$executeRaw`
      UPDATE "Delivery" SET "status" = 'queued', "attempts" = GREATEST("attempts" - 1, 0), "leaseUntil" = NULL
      WHERE "id" = ANY(${[...ids]}::bigint[]) AND "status" = 'sending'`;
  }
}
