import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import type { DeliveryKind } from '../generated/prisma/enums';

/** A sent email that feedback (a bounce, a complaint, a relay's event) is about, with its reader. */
export interface FeedbackTarget {
  id: bigint;
  kind: DeliveryKind;
  subscriberId: string | null;
  /** The reader's current address; null once they erased their data. */
  email: string | null;
  alertId: string | null;
  runId: string | null;
}

export interface FeedbackCounts {
  bounced: number;
  complained: number;
}

/** The columns a feedback target is read from, joined with the reader's current address. */
const TARGET = `SELECT d."id"::text AS "id", d."kind"::text AS "kind", d."subscriberId", s."email", d."alertId", d."runId"
  FROM "Delivery" d LEFT JOIN "Subscriber" s ON s."id" = d."subscriberId"`;

type TargetRow = Omit<FeedbackTarget, 'id'> & { id: string };

/**
 * deliveries/ owns the Delivery table, so what feedback reads and writes of it is here: finding
 * the email a report is about, and marking it, in columns of their own beside the outbox status.
 * On the pg pool: Prisma's query compiler cost more CPU than PostgreSQL spent (bench/bounces).
 */
@Injectable()
export class DeliveryFeedbackRepository {
  constructor(private readonly prisma: PrismaService) {}

  async byId(id: bigint): Promise<FeedbackTarget | null> {
    return this.first(`${TARGET} WHERE d."id" = $1`, [String(id)]);
  }

  /** By the Message-ID a relay reports, with or without its angle brackets; only an email that went out. */
  async byMessageId(messageId: string): Promise<FeedbackTarget | null> {
    const bare = messageId.trim().replace(/^<|>$/g, '');
    if (!bare) return null;
    return this.first(`${TARGET} WHERE d."messageId" = $1 AND d."status" IN ('sent', 'uncertain') ORDER BY d."id" DESC LIMIT 1`, [`<${bare}>`]);
  }

  /** The latest email sent to an address, for relays that name nothing but the recipient. */
  async latestTo(email: string): Promise<FeedbackTarget | null> {
    return this.first(`${TARGET} WHERE s."email" = $1 AND d."status" = 'sent' ORDER BY d."id" DESC LIMIT 1`, [email]);
  }

  /** A complaint outranks a bounce; a second report of the same kind changes nothing. */
  async mark(id: bigint, feedback: 'bounced' | 'complained', at: Date): Promise<void> {
    await this.prisma.pool.query(
      `UPDATE "Delivery" SET "feedback" = $2::"DeliveryFeedback", "feedbackAt" = $3
       WHERE "id" = $1 AND ("feedback" IS NULL OR ($2 = 'complained' AND "feedback" = 'bounced'))`,
      [String(id), feedback, at],
    );
  }

  async countsForRun(runId: string): Promise<FeedbackCounts> {
    const groups = await this.prisma.delivery.groupBy({ by: ['feedback'], where: { runId, feedback: { not: null } }, _count: { _all: true } });
    const count = (feedback: string) => groups.find((group) => group.feedback === feedback)?._count._all ?? 0;
    return { bounced: count('bounced'), complained: count('complained') };
  }

  private async first(sql: string, values: unknown[]): Promise<FeedbackTarget | null> {
    const { rows } = await this.prisma.pool.query<TargetRow>(sql, values);
    return rows[0] ? { ...rows[0], id: BigInt(rows[0].id) } : null;
  }
}
