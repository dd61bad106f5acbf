import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { Prisma } from '../generated/prisma/client';
import { SUBSCRIBER_SUPPRESSED } from '../suppression/email-hash';
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
   * Rows whose lease ran out mid-send become `uncertain`, due at once: SMTP may or
   * may not have them, so they are claimed again and resent with the same Message-ID
   * (the one unknowable case, resent once and counted).
   */
  async expireLeases(): Promise<number> {
    return this.prisma.$executeRaw`
      UPDATE "Delivery" SET "status" = 'uncertain', "nextAttemptAt" = now()
      WHERE "status" = 'sending' AND "leaseUntil" < now()`;
  }

  /** Extends the lease of rows this worker still holds, so waiting in hand never turns them uncertain. */
  async renewLeases(ids: readonly bigint[], leaseSeconds: number): Promise<void> {
    if (ids.length === 0) return;
    await this.prisma.$executeRaw`
      UPDATE "Delivery" SET "leaseUntil" = now() + make_interval(secs => ${leaseSeconds})
      WHERE "id" = ANY(${[...ids]}::bigint[]) AND "status" = 'sending'`;
  }

  /**
   * Claims up to `limit` due rows, most urgent first, and leases them.
   * With `belowPriority`, only rows more urgent than that (an alert jumping
   * ahead of digests the caller already holds).
   *
   * Queued and uncertain rows are picked by one ordered index scan each, merged:
   * with `status IN (…)` PostgreSQL read and sorted the whole remaining queue for
   * every batch, which made a 100,000-digest run quadratic in PostgreSQL's CPU.
   * Rows one scan locked but the merge left out are unlocked at commit, still queued.
   */
  async claim(limit: number, leaseSeconds: number, options: { belowPriority?: number } = {}): Promise<ClaimedDelivery[]> {
    // No sentinel value: the priority column is an int4, and a bound past its range makes PostgreSQL reject the whole claim.
    const moreUrgent = options.belowPriority === undefined ? '' : 'AND "priority" < $3';
    // The status is a literal, not a parameter, so each scan is planned for its own slice of the index.
    const due = (status: 'queued' | 'uncertain') => `
        SELECT "id", "status" AS "previousStatus", "priority", "nextAttemptAt" FROM "Delivery"
        WHERE "status" = '${status}' AND "nextAttemptAt" <= now() ${moreUrgent}
        ORDER BY "priority", "nextAttemptAt", "id"
        LIMIT $1
        FOR UPDATE SKIP LOCKED`;
    // Runs on the pg pool, so shared fragments go in as their text (SUBSCRIBER_SUPPRESSED has no parameters).
    const values = options.belowPriority === undefined ? [limit, leaseSeconds] : [limit, leaseSeconds, options.belowPriority];
    const { rows } = await this.prisma.pool.query<Omit<ClaimedDelivery, 'id'> & { id: string }>(
      `WITH queued AS (${due('queued')}), uncertain AS (${due('uncertain')}), picked AS (
        SELECT "id", "previousStatus" FROM (SELECT * FROM queued UNION ALL SELECT * FROM uncertain) due
        ORDER BY "priority", "nextAttemptAt", "id"
        LIMIT $1
      ), leased AS (
        UPDATE "Delivery" d
        SET "status" = 'sending', "attempts" = d."attempts" + 1,
            "uncertainResends" = d."uncertainResends" + CASE WHEN picked."previousStatus" = 'uncertain' THEN 1 ELSE 0 END,
            "leaseUntil" = now() + make_interval(secs => $2)
        FROM picked
        WHERE d."id" = picked."id"
        RETURNING d.*, picked."previousStatus"
      )
      SELECT l."id", l."kind", l."messageId", l."status", l."attempts", l."subscriberId", l."alertId",
             l."articleIds", l."relatedIds", l."payload",
             (l."previousStatus" = 'uncertain') AS "wasUncertain",
             s."email", s."status"::text AS "subscriberStatus", s."tokenVersion",
             ${SUBSCRIBER_SUPPRESSED.sql} AS "suppressed",
             a."createdAt" AS "alertCreatedAt"
      FROM leased l
      LEFT JOIN "Subscriber" s ON s."id" = l."subscriberId"
      LEFT JOIN "Alert" a ON a."id" = l."alertId"
      ORDER BY l."priority", l."id"`,
      values,
    );
    // node-postgres reads an int8 as a string: it may exceed a JavaScript number.
    return rows.map((row) => ({ ...row, id: BigInt(row.id) }));
  }

  /**
   * Records accepted rows and, in the same statement, clears the soft-bounce count of
   * their readers (a delivered email ends a run of soft bounces): one round trip per
   * flush instead of three, which matters at thousands of emails a second.
   */
  async markSent(ids: readonly bigint[]): Promise<void> {
    if (ids.length === 0) return;
    await this.prisma.pool.query(
      `WITH sent AS (
        UPDATE "Delivery" SET "status" = 'sent', "sentAt" = now(), "leaseUntil" = NULL, "lastError" = NULL
        WHERE "id" = ANY($1::bigint[]) AND "status" = 'sending'
        RETURNING "subscriberId"
      )
      UPDATE "Subscriber" s SET "softBounces" = 0
      FROM (SELECT DISTINCT "subscriberId" FROM sent) r
      WHERE s."id" = r."subscriberId" AND s."softBounces" > 0`,
      [ids.map(String)],
    );
  }

  /** What claim() joined in to decide eligibility, read again for rows already in hand. */
  async currentEligibility(ids: readonly bigint[]): Promise<Map<bigint, Pick<ClaimedDelivery, 'email' | 'subscriberStatus' | 'suppressed'>>> {
    if (ids.length === 0) return new Map();
    const rows = await this.prisma.$queryRaw<(Pick<ClaimedDelivery, 'id' | 'email' | 'subscriberStatus' | 'suppressed'>)[]>`
      SELECT d."id", s."email", s."status"::text AS "subscriberStatus",
             ${SUBSCRIBER_SUPPRESSED} AS "suppressed"
      FROM "Delivery" d LEFT JOIN "Subscriber" s ON s."id" = d."subscriberId"
      WHERE d."id" = ANY(${[...ids]}::bigint[])`;
    return new Map(rows.map(({ id, ...current }) => [id, current]));
  }

  async markSkipped(ids: readonly bigint[], reason: string): Promise<void> {
    if (ids.length === 0) return;
    await this.prisma.delivery.updateMany({
      where: { id: { in: [...ids] }, status: 'sending' },
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
