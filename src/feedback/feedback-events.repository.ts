import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { DeliveryLookup, feedbackMayMark, FeedbackTarget, feedbackTargetQuery } from '../deliveries/delivery-feedback.repository';
import type { DeliveryKind } from '../generated/prisma/enums';
import { FeedbackEvent } from './feedback-event';
import { nextStreak, SoftBounceStreak } from './soft-bounce-streak';

/** What an event's statement may do beyond recording it: suppress the reader's address, mark the delivery. */
export interface RecordedEffect {
  /** Suppress the target's address (its mailbox, as emailHash folds it) with this reason. */
  suppressReason?: string;
  mark?: 'bounced' | 'complained';
  at: Date;
}

/** What the statement found and did: no target (unknown message), a report about another reader, a repeat, or recorded. */
export type RecordOutcome =
  | { status: 'unknown message' }
  | { status: 'recipient mismatch' | 'duplicate' | 'recorded'; target: FeedbackTarget };

/**
 * One statement per event, so an event costs one round trip and lands whole or not at all:
 * the delivery the lookup names (deliveries/ decides which, $1); the report's recipient, when it
 * names one, must be that delivery's reader ($2); the event recorded once by its key ($3-$5); only
 * if it was new, the reader's mailbox suppressed ($6: the hash emailHash() makes, computed by
 * PostgreSQL's dispatch_mailbox_hash, as SUBSCRIBER_SUPPRESSED reads it) and the delivery marked
 * ($7, $8). Built once per kind of lookup; every value is a parameter.
 */
function recordStatement(targetSql: string): string {
  return `WITH target AS (${targetSql}),
    accepted AS (SELECT * FROM target WHERE $2::text IS NULL OR "email" IS NULL OR lower("email") = $2::text),
    recorded AS (
      INSERT INTO "FeedbackEvent" ("key", "source", "type", "deliveryId")
      SELECT $3::text, $4::text, $5::text, "id" FROM accepted
      ON CONFLICT ("key") DO NOTHING
      RETURNING "deliveryId"),
    suppressed AS (
      INSERT INTO "Suppression" ("emailHash", "reason")
      SELECT dispatch_mailbox_hash(a."email"), $6::text FROM accepted a
      WHERE $6::text IS NOT NULL AND a."email" IS NOT NULL AND EXISTS (SELECT 1 FROM recorded)
      ON CONFLICT ("emailHash") DO NOTHING),
    marked AS (
      UPDATE "Delivery" d SET "feedback" = $7::text::"DeliveryFeedback", "feedbackAt" = $8::timestamptz
      FROM recorded r
      WHERE d."id" = r."deliveryId" AND $7::text IS NOT NULL AND ${feedbackMayMark('$7::text')})
    SELECT t."id"::text AS "id", t."kind"::text AS "kind", t."subscriberId", t."email", t."alertId", t."runId",
      EXISTS (SELECT 1 FROM accepted) AS "accepted", EXISTS (SELECT 1 FROM recorded) AS "recorded"
    FROM target t`;
}

interface RecordRow {
  id: string;
  kind: DeliveryKind;
  subscriberId: string | null;
  email: string | null;
  alertId: string | null;
  runId: string | null;
  accepted: boolean;
  recorded: boolean;
}

/** feedback/'s own tables: the events heard (one row per event, which makes a repeat a no-op) and soft-bounce streaks. */
@Injectable()
export class FeedbackEventsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Finds the delivery, checks the report is about its reader, records the event once and, if it
   * is new, applies `effect`: all in one statement. Effects that belong to other modules' services
   * (unsubscribing, soft-bounce streaks) come after it, and forget() the event if they fail.
   */
  async record(event: FeedbackEvent, lookup: DeliveryLookup, effect: RecordedEffect): Promise<RecordOutcome> {
    const target = feedbackTargetQuery(lookup);
    if (!target) return { status: 'unknown message' };
    const kind = 'id' in lookup ? 'id' : 'messageId' in lookup ? 'message-id' : 'recipient';
    const { rows } = await this.prisma.pool.query<RecordRow>({
      name: `feedback-record-by-${kind}`,
      text: recordStatement(target.sql),
      values: [target.value, event.recipient ? event.recipient.trim().toLowerCase() : null, event.key, event.source, event.type, effect.suppressReason ?? null, effect.mark ?? null, effect.at],
    });
    const [row] = rows;
    if (!row) return { status: 'unknown message' };
    const found: FeedbackTarget = { id: BigInt(row.id), kind: row.kind, subscriberId: row.subscriberId, email: row.email, alertId: row.alertId, runId: row.runId };
    return { status: !row.accepted ? 'recipient mismatch' : !row.recorded ? 'duplicate' : 'recorded', target: found };
  }

  /** Its effect could not be applied: forgotten, so the sender's retry applies it. */
  async forget(key: string): Promise<void> {
    await this.prisma.pool.query(`DELETE FROM "FeedbackEvent" WHERE "key" = $1`, [key]);
  }

  /** One more soft bounce for a reader; the streak as it now stands. */
  async addSoftBounce(subscriberId: string, deliveryId: bigint, at: Date): Promise<SoftBounceStreak> {
    return this.prisma.$transaction(async (tx) => {
      const [previous] = await tx.$queryRaw<SoftBounceStreak[]>`
        SELECT "count", "firstAt", "lastAt", "lastDeliveryId" FROM "SoftBounceStreak" WHERE "subscriberId" = ${subscriberId}::uuid FOR UPDATE`;
      const streak = nextStreak(previous ?? null, deliveryId, at);
      await tx.softBounceStreak.upsert({ where: { subscriberId }, create: { subscriberId, ...streak }, update: streak });
      return streak;
    });
  }

  /** Mail reached the reader: whatever soft bounces came before were not "in a row". */
  async endStreak(subscriberId: string): Promise<void> {
    await this.prisma.softBounceStreak.deleteMany({ where: { subscriberId } });
  }
}
