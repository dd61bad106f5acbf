import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { Prisma } from '../generated/prisma/client';
import { SUBSCRIBER_SUPPRESSED, suppressionHashes } from '../suppression/email-hash';
import { DigestFrequency } from './schedule';

type Tx = Prisma.TransactionClient | PrismaService;

/** What planning a digest needs to know about a reader: their preferences and where their schedule stands. */
export interface DigestSubscriber {
  id: string;
  tags: string[];
  frequency: DigestFrequency;
  sendHour: number;
  timezone: string;
  weekday: number;
  /** The slot the scheduler expects next; the compare-and-set when advancing it. */
  nextDigestAt: Date | null;
  /** Suppressed addresses still have their periods counted as done, but get no row. */
  suppressed: boolean;
}

export interface ScheduleAdvance {
  id: string;
  /** The nextDigestAt read when the batch was planned. */
  expected: Date;
  next: Date;
}

export interface UnscheduledSubscriber {
  id: string;
  frequency: DigestFrequency;
  sendHour: number;
  timezone: string;
  weekday: number;
  confirmedAt: Date | null;
}

/**
 * The scheduler's view of the Subscriber table. Every query runs on the
 * (status, nextDigestAt) index: finding who is due never reads the whole table.
 */
@Injectable()
export class DigestSubscribersRepository {
  constructor(private readonly prisma: PrismaService) {}

  async countDue(at: Date): Promise<number> {
    const [row] = await this.prisma.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM "Subscriber"
      WHERE "status" = 'confirmed' AND "nextDigestAt" <= ${at.toISOString()}::timestamptz`;
    return Number(row.n);
  }

  /**
   * Up to `limit` due subscribers, earliest slot first, leaving out `passed` (those this
   * run already looked at and did not advance). Every subscriber a run advances leaves
   * the due range, so "the first `limit` due" is always the next batch: no cursor,
   * hence no (nextDigestAt, id) ordering the index cannot serve — subscribers of one
   * zone and hour share one nextDigestAt, and sorting such a group by id for every
   * batch would read the whole group each time.
   */
  async dueBatch(at: Date, passed: readonly string[], limit: number): Promise<DigestSubscriber[]> {
    const rows = await this.prisma.$queryRaw<(Omit<DigestSubscriber, 'frequency'> & { frequency: string })[]>`
      SELECT s."id"::text AS "id", s."tags", s."frequency"::text AS "frequency", s."sendHour", s."timezone", s."weekday",
             s."nextDigestAt",
             ${SUBSCRIBER_SUPPRESSED} AS "suppressed"
      FROM "Subscriber" s
      WHERE s."status" = 'confirmed'
        AND s."nextDigestAt" <= ${at.toISOString()}::timestamptz
        AND NOT (s."id" = ANY(${[...passed]}::uuid[]))
      ORDER BY s."nextDigestAt"
      LIMIT ${limit}`;
    return rows.map((row) => ({ ...row, frequency: row.frequency as DigestFrequency }));
  }

  /** Confirmed subscribers the subscription flow left without a schedule, in id order after `afterId` (the scheduler repairs them). */
  async unscheduled(afterId: string | null, limit: number): Promise<UnscheduledSubscriber[]> {
    return this.prisma.subscriber.findMany({
      where: { status: 'confirmed', nextDigestAt: null, ...(afterId ? { id: { gt: afterId } } : {}) },
      select: { id: true, frequency: true, sendHour: true, timezone: true, weekday: true, confirmedAt: true },
      orderBy: { id: 'asc' },
      take: limit,
    });
  }

  /** Sets a first nextDigestAt, unless something else set one meanwhile. */
  async schedule(rows: readonly { id: string; next: Date }[]): Promise<number> {
    if (rows.length === 0) return 0;
    return this.prisma.$executeRaw`
      UPDATE "Subscriber" s SET "nextDigestAt" = v.next
      FROM unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.next.toISOString())}::timestamptz[]) AS v(id, next)
      WHERE s."id" = v.id AND s."status" = 'confirmed' AND s."nextDigestAt" IS NULL`;
  }

  /**
   * Moves each subscriber to their next slot, but only where nextDigestAt still holds
   * the value the batch was planned from, and only rows no other transaction is
   * moving right now (SKIP LOCKED: another instance running the same tick owns
   * those; if it fails, the next tick finds them still due). So of two instances,
   * exactly one advances — and so queues — each subscriber, and neither waits for
   * the other. Returns the ids this call advanced.
   */
  async advance(rows: readonly ScheduleAdvance[], tx: Tx): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    const advanced = await tx.$queryRaw<{ id: string }[]>`
      WITH input AS (
        SELECT * FROM unnest(
          ${rows.map((r) => r.id)}::uuid[],
          ${rows.map((r) => r.expected.toISOString())}::timestamptz[],
          ${rows.map((r) => r.next.toISOString())}::timestamptz[]) AS v(id, expected, next)
      ), locked AS (
        SELECT s."id", input.next FROM "Subscriber" s JOIN input ON s."id" = input.id
        WHERE s."status" = 'confirmed' AND s."nextDigestAt" = input.expected
        FOR UPDATE OF s SKIP LOCKED
      )
      UPDATE "Subscriber" s SET "nextDigestAt" = locked.next
      FROM locked WHERE s."id" = locked."id"
      RETURNING s."id"::text AS "id"`;
    return new Set(advanced.map((row) => row.id));
  }

  async findByEmail(email: string): Promise<(DigestSubscriber & { status: string; tokenVersion: number }) | null> {
    const found = await this.prisma.subscriber.findUnique({
      where: { email },
      select: {
        id: true,
        status: true,
        tokenVersion: true,
        tags: true,
        frequency: true,
        sendHour: true,
        timezone: true,
        weekday: true,
        nextDigestAt: true,
      },
    });
    if (!found) return null;
    const suppressed = (await this.prisma.suppression.count({ where: { emailHash: { in: suppressionHashes(email) } } })) > 0;
    return { ...found, suppressed };
  }
}
