import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { SUBSCRIBER_SUPPRESSED } from '../suppression/email-hash';
import { ClaimedDelivery, HeldRow } from './delivery.types';

/** The arrays a statement over held rows takes: ids and their claims' tokens, pairwise. */
export function heldArrays(rows: readonly HeldRow[]): [string[], string[]] {
  return [rows.map((row) => String(row.id)), rows.map((row) => row.leaseToken)];
}

/**
 * Claims and leases. Rows are claimed with FOR UPDATE SKIP LOCKED, each claim
 * with a token of its own: a lease is held by that token, not by whoever asks,
 * so every later write about the row (renewal, outcome, release) names it and a
 * holder whose lease was taken over changes nothing.
 */
@Injectable()
export class DeliveryLeasesRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Claims up to `limit` due rows, most urgent first, under `token`.
   * With `belowPriority`, only rows more urgent than that (an alert jumping
   * ahead of digests the caller already holds).
   *
   * Queued and uncertain rows are picked by one ordered index scan each, merged:
   * with `status IN (…)` PostgreSQL read and sorted the whole remaining queue for
   * every batch, which made a 100,000-digest run quadratic in PostgreSQL's CPU.
   * Rows one scan locked but the merge left out are unlocked at commit, still queued.
   * A row held for its reader's quiet hours stops counting as held once claimed: it is
   * decided again, and held again (markHeld) if it must wait longer.
   */
  async claim(limit: number, leaseSeconds: number, token: string, options: { belowPriority?: number } = {}): Promise<ClaimedDelivery[]> {
    // No sentinel value: the priority column is an int4, and a bound past its range makes PostgreSQL reject the whole claim.
    const moreUrgent = options.belowPriority === undefined ? '' : 'AND "priority" < $4';
    // The status is a literal, not a parameter, so each scan is planned for its own slice of the index.
    const due = (status: 'queued' | 'uncertain') => `
        SELECT "id", "status" AS "previousStatus", "priority", "nextAttemptAt" FROM "Delivery"
        WHERE "status" = '${status}' AND "nextAttemptAt" <= now() ${moreUrgent}
        ORDER BY "priority", "nextAttemptAt", "id"
        LIMIT $1
        FOR UPDATE SKIP LOCKED`;
    // Runs on the pg pool, so shared fragments go in as their text (SUBSCRIBER_SUPPRESSED has no parameters).
    const values = options.belowPriority === undefined ? [limit, leaseSeconds, token] : [limit, leaseSeconds, token, options.belowPriority];
    const { rows } = await this.prisma.pool.query<Omit<ClaimedDelivery, 'id'> & { id: string }>(
      `WITH queued AS (${due('queued')}), uncertain AS (${due('uncertain')}), picked AS (
        SELECT "id", "previousStatus" FROM (SELECT * FROM queued UNION ALL SELECT * FROM uncertain) due
        ORDER BY "priority", "nextAttemptAt", "id"
        LIMIT $1
      ), leased AS (
        UPDATE "Delivery" d
        SET "status" = 'sending', "attempts" = d."attempts" + 1, "heldUntil" = NULL,
            "uncertainResends" = d."uncertainResends" + CASE WHEN picked."previousStatus" = 'uncertain' THEN 1 ELSE 0 END,
            "leaseUntil" = now() + make_interval(secs => $2), "leaseToken" = $3::uuid
        FROM picked
        WHERE d."id" = picked."id"
        RETURNING d.*, picked."previousStatus"
      )
      SELECT l."id", l."kind", l."messageId", l."status", l."attempts", l."subscriberId", l."alertId",
             l."articleIds", l."relatedIds", l."payload", l."createdAt", l."leaseToken", l."pushSubscriptionId",
             (l."previousStatus" = 'uncertain') AS "wasUncertain",
             s."email", s."status"::text AS "subscriberStatus", s."tokenVersion",
             ${SUBSCRIBER_SUPPRESSED.sql} AS "suppressed",
             a."createdAt" AS "alertCreatedAt", a."sendAt" AS "alertSendAt", a."status"::text AS "alertStatus", a."priority"::text AS "alertPriority", a."test" AS "alertTest",
             s."timezone", s."quietHoursStart", s."quietHoursEnd", s."maxAlertsPerDay",
             p."endpoint" AS "pushEndpoint", p."p256dh" AS "pushP256dh", p."auth" AS "pushAuth"
      FROM leased l
      LEFT JOIN "Subscriber" s ON s."id" = l."subscriberId"
      LEFT JOIN "Alert" a ON a."id" = l."alertId"
      LEFT JOIN "PushSubscription" p ON p."id" = l."pushSubscriptionId"
      ORDER BY l."priority", l."id"`,
      values,
    );
    // node-postgres reads an int8 as a string: it may exceed a JavaScript number.
    return rows.map((row) => ({ ...row, id: BigInt(row.id) }));
  }

  /** Whether the database answers: the paused outbox's probe. */
  async ping(): Promise<void> {
    await this.prisma.pool.query('SELECT 1');
  }

  /**
   * Extends the leases this holder still has, even ones whose time ran out while the
   * database was away (nobody took them meanwhile, or the token would differ).
   * Returns the ids renewed: a held row missing from the answer was taken over, or its
   * outcome was being written meanwhile.
   */
  async renew(rows: readonly HeldRow[], leaseSeconds: number): Promise<Set<bigint>> {
    if (rows.length === 0) return new Set();
    const [ids, tokens] = heldArrays(rows);
    // SKIP LOCKED: a row locked now is having its outcome written (sent rows are recorded
    // hundreds of times a second), and waiting for it in another order could deadlock.
    const { rows: renewed } = await this.prisma.pool.query<{ id: string }>(
      `WITH mine AS (
        SELECT d."id" FROM "Delivery" d
        JOIN unnest($1::bigint[], $2::uuid[]) AS h("id", "token") ON d."id" = h."id" AND d."leaseToken" = h."token"
        WHERE d."status" = 'sending'
        FOR UPDATE OF d SKIP LOCKED
      )
      UPDATE "Delivery" d SET "leaseUntil" = now() + make_interval(secs => $3)
      FROM mine WHERE d."id" = mine."id"
      RETURNING d."id"`,
      [ids, tokens, leaseSeconds],
    );
    return new Set(renewed.map((row) => BigInt(row.id)));
  }

  /**
   * Rows whose lease ran out mid-send become `uncertain`, due at once: SMTP may or
   * may not have them, so they are claimed again and resent with the same Message-ID
   * (the one unknowable case, resent once and counted). Only leases expired for
   * longer than `graceSeconds`: a live holder coming back from a database outage
   * renews first, so rows still in its hands are not taken from it. Claims named in
   * `ownTokens` (the sweeper's own) are left alone.
   */
  async expire(graceSeconds: number, ownTokens: readonly string[]): Promise<number> {
    return this.prisma.$executeRaw`
      UPDATE "Delivery" SET "status" = 'uncertain', "nextAttemptAt" = now(), "leaseToken" = NULL
      WHERE "status" = 'sending' AND "leaseUntil" < now() - make_interval(secs => ${graceSeconds})
        AND ("leaseToken" IS NULL OR NOT ("leaseToken" = ANY(${[...ownTokens]}::uuid[])))`;
  }

  /**
   * Gives held rows back as they were before the claim, without counting the attempt:
   * claimed but never handed to SMTP (shutdown, a failed step after the claim, the relay
   * unreachable). An uncertain row goes back to uncertain, its resend not counted either.
   */
  async release(rows: readonly (HeldRow & { wasUncertain: boolean })[]): Promise<void> {
    if (rows.length === 0) return;
    const [ids, tokens] = heldArrays(rows);
    await this.prisma.pool.query(
      `UPDATE "Delivery" d
       SET "status" = CASE WHEN h."wasUncertain" THEN 'uncertain'::"DeliveryStatus" ELSE 'queued'::"DeliveryStatus" END,
           "uncertainResends" = d."uncertainResends" - CASE WHEN h."wasUncertain" THEN 1 ELSE 0 END,
           "attempts" = GREATEST(d."attempts" - 1, 0), "leaseUntil" = NULL, "leaseToken" = NULL, "nextAttemptAt" = now()
       FROM unnest($1::bigint[], $2::uuid[], $3::bool[]) AS h("id", "token", "wasUncertain")
       WHERE d."id" = h."id" AND d."leaseToken" = h."token" AND d."status" = 'sending'`,
      [ids, tokens, rows.map((row) => row.wasUncertain)],
    );
  }
}
