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

/** How feedback names the delivery it is about: by id (a verified bounce reference), by the Message-ID a relay reports, or by the recipient alone. */
export type DeliveryLookup = { id: bigint } | { messageId: string } | { recipient: string };

/**
 * A SELECT of the delivery a lookup names, joined with its reader's current address, columns
 * id, kind, subscriberId, email, alertId, runId; its one parameter ($1) is `value`. null when the
 * lookup cannot name anything. Feedback runs it inside its one statement per event (bench/bounces),
 * so which delivery a report is about is still decided here, beside the table.
 */
export function feedbackTargetQuery(lookup: DeliveryLookup): { sql: string; value: string } | null {
  const select = `SELECT d."id", d."kind", d."subscriberId", s."email", d."alertId", d."runId"
    FROM "Delivery" d LEFT JOIN "Subscriber" s ON s."id" = d."subscriberId"`;
  if ('id' in lookup) return { sql: `${select} WHERE d."id" = $1::bigint`, value: String(lookup.id) };
  if ('messageId' in lookup) {
    // With or without its angle brackets; only an email that went out.
    const bare = lookup.messageId.trim().replace(/^<|>$/g, '');
    if (!bare) return null;
    return { sql: `${select} WHERE d."messageId" = $1::text AND d."status" IN ('sent', 'uncertain') ORDER BY d."id" DESC LIMIT 1`, value: `<${bare}>` };
  }
  // The latest email sent to an address, for relays that name nothing but the recipient.
  return { sql: `${select} WHERE s."email" = $1::text AND d."status" = 'sent' ORDER BY d."id" DESC LIMIT 1`, value: lookup.recipient };
}

/**
 * SQL true when feedback `mark` (a text expression: bounced or complained) may be written over
 * what the delivery aliased d holds: a complaint outranks a bounce; a second report of the same
 * kind changes nothing.
 */
export function feedbackMayMark(mark: string): string {
  return `(d."feedback" IS NULL OR (${mark} = 'complained' AND d."feedback" = 'bounced'))`;
}

/**
 * deliveries/ owns the Delivery table: what feedback reads and writes of it is decided here
 * (finding the email a report is about, marking it in columns of their own beside the outbox
 * status), and the counts the alert and run status show.
 */
@Injectable()
export class DeliveryFeedbackRepository {
  constructor(private readonly prisma: PrismaService) {}

  async countsForRun(runId: string): Promise<FeedbackCounts> {
    const groups = await this.prisma.delivery.groupBy({ by: ['feedback'], where: { runId, feedback: { not: null } }, _count: { _all: true } });
    const count = (feedback: string) => groups.find((group) => group.feedback === feedback)?._count._all ?? 0;
    return { bounced: count('bounced'), complained: count('complained') };
  }
}
