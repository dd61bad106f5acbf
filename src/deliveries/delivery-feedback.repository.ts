import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import type { DeliveryKind } from '../generated/prisma/enums';
import { Prisma } from '../generated/prisma/client';

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

/**
 * deliveries/ owns the Delivery table, so what feedback reads and writes of it is here: finding
 * the email a report is about, and marking it, in columns of their own beside the outbox status.
 */
@Injectable()
export class DeliveryFeedbackRepository {
  constructor(private readonly prisma: PrismaService) {}

  async byId(id: bigint): Promise<FeedbackTarget | null> {
    return this.findOne({ id });
  }

  /** By the Message-ID a relay reports, with or without its angle brackets; only an email that went out. */
  async byMessageId(messageId: string): Promise<FeedbackTarget | null> {
    const bare = messageId.trim().replace(/^<|>$/g, '');
    if (!bare) return null;
    return this.findOne({ messageId: `<${bare}>`, status: { in: ['sent', 'uncertain'] } });
  }

  /** The latest email sent to an address, for relays that name nothing but the recipient. */
  async latestTo(email: string): Promise<FeedbackTarget | null> {
    return this.findOne({ subscriber: { email }, status: 'sent' });
  }

  /** A complaint outranks a bounce; a second report of the same kind changes nothing. */
  async mark(id: bigint, feedback: 'bounced' | 'complained', at: Date): Promise<void> {
    await this.prisma.delivery.updateMany({
      where: { id, OR: [{ feedback: null }, ...(feedback === 'complained' ? [{ feedback: 'bounced' as const }] : [])] },
      data: { feedback, feedbackAt: at },
    });
  }

  async countsForAlert(alertId: string): Promise<FeedbackCounts> {
    return this.counts({ alertId });
  }

  async countsForRun(runId: string): Promise<FeedbackCounts> {
    return this.counts({ runId });
  }

  private async counts(where: { alertId: string } | { runId: string }): Promise<FeedbackCounts> {
    const groups = await this.prisma.delivery.groupBy({ by: ['feedback'], where: { ...where, feedback: { not: null } }, _count: { _all: true } });
    const count = (feedback: string) => groups.find((group) => group.feedback === feedback)?._count._all ?? 0;
    return { bounced: count('bounced'), complained: count('complained') };
  }

  private async findOne(where: Prisma.DeliveryWhereInput): Promise<FeedbackTarget | null> {
    const row = await this.prisma.delivery.findFirst({
      where,
      orderBy: { id: 'desc' },
      select: { id: true, kind: true, subscriberId: true, alertId: true, runId: true, subscriber: { select: { email: true } } },
    });
    if (!row) return null;
    return { id: row.id, kind: row.kind, subscriberId: row.subscriberId, email: row.subscriber?.email ?? null, alertId: row.alertId, runId: row.runId };
  }
}
