import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { SUBSCRIBER_SUPPRESSED } from '../suppression/email-hash';
import { ClaimedDelivery, HeldRow } from './delivery.types';
import { heldArrays } from './delivery-leases.repository';

const MARK_SENT = `WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true)), sent AS (
        UPDATE "Delivery" d SET "status" = 'sent', "sentAt" = now(), "leaseUntil" = NULL, "leaseToken" = NULL, "lastError" = NULL
        FROM unnest($1::bigint[], $2::uuid[]) AS h("id", "token"), relaxed
        WHERE d."id" = h."id" AND d."leaseToken" = h."token" AND d."status" = 'sending'
        RETURNING d."id", d."subscriberId"
      ), cleared AS (
        UPDATE "Subscriber" s SET "softBounces" = 0
        FROM (SELECT DISTINCT "subscriberId" FROM sent) r
        WHERE s."id" = r."subscriberId" AND s."softBounces" > 0
      )
      SELECT "id" FROM sent`;

export type CurrentEligibility = Pick<ClaimedDelivery, 'email' | 'subscriberStatus' | 'suppressed' | 'pushEndpoint' | 'alertStatus' | 'alertTest'>;

/**
 * Outcome writes. Each names the claim it belongs to (the lease token) and changes
 * only rows still `sending` under it: a holder whose lease ran out and was taken
 * over records nothing, so the new holder's outcome stands.
 */
@Injectable()
export class DeliveryOutcomesRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Records accepted rows and, in the same statement, clears the soft-bounce count of
   * their readers (a delivered email ends a run of soft bounces): one round trip per
   * flush instead of three, which matters at thousands of emails a second.
   *
   * Committed without waiting for the WAL to reach disk (synchronous_commit off, for
   * this statement only): the wire budget makes these small and frequent, and an fsync
   * each halved the outbox's throughput. Should PostgreSQL itself crash within the
   * WAL writer's delay (200 ms), the rows it forgets are `sending` again and come back
   * as uncertain after their lease: resent once, counted, as after our own crash.
   * Returns the ids recorded.
   */
  async markSent(rows: readonly HeldRow[]): Promise<Set<bigint>> {
    if (rows.length === 0) return new Set();
    const [ids, tokens] = heldArrays(rows);
    // Named, so each connection parses and plans it once: a flush runs hundreds of times a second.
    const { rows: recorded } = await this.prisma.pool.query<{ id: string }>({ name: 'outbox-mark-sent', text: MARK_SENT, values: [ids, tokens] });
    return new Set(recorded.map((row) => BigInt(row.id)));
  }

  async markSkipped(rows: readonly HeldRow[], reason: string): Promise<void> {
    if (rows.length === 0) return;
    const [ids, tokens] = heldArrays(rows);
    await this.prisma.pool.query(
      `UPDATE "Delivery" d SET "status" = 'skipped', "lastError" = $3, "leaseUntil" = NULL, "leaseToken" = NULL
       FROM unnest($1::bigint[], $2::uuid[]) AS h("id", "token")
       WHERE d."id" = h."id" AND d."leaseToken" = h."token" AND d."status" = 'sending'`,
      [ids, tokens, reason],
    );
  }

  /**
   * Minor alerts held for their readers' quiet hours: queued again, due and counted as
   * held until `until`, the claim's attempt given back (nothing was sent). One statement
   * for the whole claim, each row with its own instant.
   */
  async markHeld(rows: readonly (HeldRow & { until: Date })[]): Promise<void> {
    if (rows.length === 0) return;
    const [ids, tokens] = heldArrays(rows);
    await this.prisma.pool.query(
      `UPDATE "Delivery" d
       SET "status" = 'queued', "nextAttemptAt" = h."until", "heldUntil" = h."until",
           "attempts" = GREATEST(d."attempts" - 1, 0), "leaseUntil" = NULL, "leaseToken" = NULL
       FROM unnest($1::bigint[], $2::uuid[], $3::timestamptz[]) AS h("id", "token", "until")
       WHERE d."id" = h."id" AND d."leaseToken" = h."token" AND d."status" = 'sending'`,
      [ids, tokens, rows.map((row) => row.until)],
    );
  }

  /**
   * The rows of the minor alerts (tests aside) each reader was sent since the start of
   * their local day (`since`, one per reader). Reads each reader's rows of the last days
   * only, by the (subscriberId, createdAt) index: a minor alert email is sent within 12
   * hours of its row's creation (delivery-age.ts), so one created a day before `since`
   * cannot have been sent after it.
   */
  async minorAlertsSentSince(readers: ReadonlyMap<string, Date>): Promise<Map<string, bigint[]>> {
    if (readers.size === 0) return new Map();
    const { rows } = await this.prisma.pool.query<{ subscriberId: string; ids: string[] }>(
      `SELECT h."subscriberId", array_agg(d."id")::text[] AS "ids"
       FROM unnest($1::uuid[], $2::timestamptz[]) AS h("subscriberId", "since")
       JOIN "Delivery" d ON d."subscriberId" = h."subscriberId" AND d."createdAt" >= h."since" - interval '1 day'
       JOIN "Alert" a ON a."id" = d."alertId"
       WHERE d."kind" = 'alert' AND d."status" = 'sent' AND d."sentAt" >= h."since" AND a."priority" = 'minor' AND NOT a."test"
       GROUP BY h."subscriberId"`,
      [[...readers.keys()], [...readers.values()]],
    );
    return new Map(rows.map((row) => [row.subscriberId, row.ids.map(BigInt)]));
  }

  /** Queued again (`retry`) or uncertain (`uncertain`: possibly delivered, resent once), due at `at`. */
  async markDueAgain(row: HeldRow, status: 'queued' | 'uncertain', at: Date, error: string): Promise<boolean> {
    const changed = await this.prisma.$executeRaw`
      UPDATE "Delivery" SET "status" = ${status}::"DeliveryStatus", "lastError" = ${error}, "leaseUntil" = NULL, "leaseToken" = NULL, "nextAttemptAt" = ${at}
      WHERE "id" = ${row.id} AND "leaseToken" = ${row.leaseToken}::uuid AND "status" = 'sending'`;
    return changed > 0;
  }

  async markFailed(row: HeldRow, error: string): Promise<boolean> {
    const changed = await this.prisma.$executeRaw`
      UPDATE "Delivery" SET "status" = 'failed', "lastError" = ${error}, "leaseUntil" = NULL, "leaseToken" = NULL
      WHERE "id" = ${row.id} AND "leaseToken" = ${row.leaseToken}::uuid AND "status" = 'sending'`;
    return changed > 0;
  }

  /** What claim() joined in to decide eligibility, read again for rows already in hand. */
  async currentEligibility(ids: readonly bigint[]): Promise<Map<bigint, CurrentEligibility>> {
    if (ids.length === 0) return new Map();
    const rows = await this.prisma.$queryRaw<(CurrentEligibility & { id: bigint })[]>`
      SELECT d."id", s."email", s."status"::text AS "subscriberStatus",
             ${SUBSCRIBER_SUPPRESSED} AS "suppressed", p."endpoint" AS "pushEndpoint",
             a."status"::text AS "alertStatus", a."test" AS "alertTest"
      FROM "Delivery" d LEFT JOIN "Subscriber" s ON s."id" = d."subscriberId"
      LEFT JOIN "PushSubscription" p ON p."id" = d."pushSubscriptionId"
      LEFT JOIN "Alert" a ON a."id" = d."alertId"
      WHERE d."id" = ANY(${[...ids]}::bigint[])`;
    return new Map(rows.map(({ id, ...current }) => [id, current]));
  }
}
