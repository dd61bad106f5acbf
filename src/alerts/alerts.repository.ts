import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { isUniqueViolation } from '../database/prisma-errors';
import type { Alert } from '../generated/prisma/client';
import type { AlertChannel, AlertOptions } from './alert-request';

/** An alert whose fan-out this instance now holds: enough to write its audience. */
export interface LeasedAlert {
  id: string;
  articleId: string;
  tags: string[];
  channels: AlertChannel[];
  test: boolean;
  cursor: string | null;
  article: { tags: string[]; publishedAt: Date };
}

export interface NewAlert {
  articleId: string;
  tags: string[];
  sentBy: string;
  options: AlertOptions;
}

/** What cancelling found: the alert's status after it (cancelled, or what it already was), or null for no such alert. */
export type CancelOutcome = { status: Alert['status'] } | null;

/** A scheduled alert found more than this late is not sent: old news (CONTRACT.md). */
export const MISSED_AFTER_MS = 3600_000;

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

  /** The article's alert: its latest real one that was not cancelled (tests never count). */
  latestForArticle(articleId: string): Promise<Alert | null> {
    return this.prisma.alert.findFirst({ where: { articleId, test: false, status: { not: 'cancelled' } }, orderBy: { sequence: 'desc' } });
  }

  /**
   * The article's alert and the sequence number a new real alert would take, read in one
   * statement: requests racing for an article all see the same number, so the unique
   * index lets exactly one of them create the alert.
   */
  async realAlertsOf(articleId: string): Promise<{ latest: Alert | null; nextSequence: number }> {
    const alerts = await this.prisma.alert.findMany({ where: { articleId, test: false }, orderBy: { sequence: 'desc' } });
    return { latest: alerts.find((alert) => alert.status !== 'cancelled') ?? null, nextSequence: alerts.length > 0 ? alerts[0].sequence + 1 : 0 };
  }

  /** Whether the article ever had a real alert, cancelled or not: a redelivered breaking event must not bring a cancelled one back. */
  async hasRealAlert(articleId: string): Promise<boolean> {
    return (await this.prisma.alert.count({ where: { articleId, test: false } })) > 0;
  }

  /** The next free sequence number of the article's test alerts: tests number their own, apart from the real ones. */
  async nextTestSequence(articleId: string): Promise<number> {
    const { _max } = await this.prisma.alert.aggregate({ where: { articleId, test: true }, _max: { sequence: true } });
    return _max.sequence === null ? 0 : _max.sequence + 1;
  }

  /**
   * Created with its fan-out leased to the caller, or `scheduled` (no lease: the scheduler
   * takes it at its time). Null when the (articleId, test, sequence) is taken: another
   * request's alert won.
   */
  async insert(alert: NewAlert, sequence: number, leaseSeconds: number): Promise<{ id: string } | null> {
    const { options } = alert;
    try {
      return await this.prisma.alert.create({
        data: {
          articleId: alert.articleId,
          tags: alert.tags,
          sentBy: alert.sentBy,
          sequence,
          channels: options.channels,
          priority: options.priority,
          test: options.test,
          sendAt: options.sendAt ?? null,
          status: options.sendAt ? 'scheduled' : 'queued',
          fanoutLeaseUntil: options.sendAt ? null : new Date(Date.now() + leaseSeconds * 1000),
        },
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

  /** Records how far the fan-out got and extends its lease; false when it is no longer this holder's (done or cancelled): stop. */
  async advanceFanout(alertId: string, cursor: string | null, leaseSeconds: number): Promise<boolean> {
    const changed = await this.prisma.$executeRaw`
      UPDATE "Alert" SET "fanoutCursor" = COALESCE(${cursor}::uuid, "fanoutCursor"),
        "fanoutLeaseUntil" = now() + make_interval(secs => ${leaseSeconds})
      WHERE "id" = ${alertId}::uuid AND "fannedOutAt" IS NULL AND "status" <> 'cancelled'`;
    return changed > 0;
  }

  /**
   * Takes scheduled alerts due at `now` (the service's clock): one UPDATE … SKIP LOCKED,
   * so of several instances each alert goes to exactly one, and only while still
   * scheduled (a cancelled one is never taken). One found more than an hour late is
   * cancelled as missed instead; the others become queued with their fan-out leased to
   * the caller. Returns the alerts to fan out and the ids of the missed ones.
   */
  async takeDueScheduled(now: Date, leaseSeconds: number, limit: number): Promise<{ due: LeasedAlert[]; missed: string[] }> {
    const missedBefore = new Date(now.getTime() - MISSED_AFTER_MS);
    const taken = await this.prisma.$queryRaw<{ id: string; status: Alert['status'] }[]>`
      UPDATE "Alert" a SET
        "status" = CASE WHEN a."sendAt" < ${missedBefore}::timestamptz THEN 'cancelled'::"AlertStatus" ELSE 'queued'::"AlertStatus" END,
        "cancelledAt" = CASE WHEN a."sendAt" < ${missedBefore}::timestamptz THEN ${now}::timestamptz END,
        "cancelReason" = CASE WHEN a."sendAt" < ${missedBefore}::timestamptz THEN 'missed' END,
        "fanoutLeaseUntil" = CASE WHEN a."sendAt" < ${missedBefore}::timestamptz THEN NULL ELSE now() + make_interval(secs => ${leaseSeconds}) END
      WHERE a."id" IN (
        SELECT "id" FROM "Alert"
        WHERE "status" = 'scheduled' AND "sendAt" <= ${now}::timestamptz
        ORDER BY "sendAt"
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED)
      RETURNING a."id", a."status"`;
    const due = await this.leased(taken.filter((row) => row.status === 'queued').map((row) => row.id));
    return { due, missed: taken.filter((row) => row.status === 'cancelled').map((row) => row.id) };
  }

  /**
   * Cancels what has not gone out: a scheduled alert entirely, a queued or sending one
   * from now on. An alert whose fan-out is complete and has nothing left to send is
   * sent (even before its status says so) and stays as it is. Its recipients become
   * the rows queued so far.
   */
  async cancel(alertId: string, at: Date): Promise<CancelOutcome> {
    const [cancelled] = await this.prisma.$queryRaw<{ status: Alert['status'] }[]>`
      UPDATE "Alert" a SET "status" = 'cancelled', "cancelledAt" = ${at}::timestamptz, "cancelReason" = 'editor', "fanoutLeaseUntil" = NULL,
        "recipients" = (SELECT count(*) FROM "Delivery" d WHERE d."alertId" = a."id")
      WHERE a."id" = ${alertId}::uuid AND a."status" IN ('scheduled', 'queued', 'sending')
        AND NOT (a."fannedOutAt" IS NOT NULL AND NOT EXISTS (
          SELECT 1 FROM "Delivery" d WHERE d."alertId" = a."id" AND d."status" IN ('queued', 'sending', 'uncertain')))
      RETURNING a."status"::text AS "status"`;
    if (cancelled) return cancelled;
    const alert = await this.prisma.alert.findUnique({ where: { id: alertId }, select: { status: true } });
    return alert ? { status: alert.status } : null;
  }

  /**
   * Takes over fan-outs whose lease ran out: one UPDATE … SKIP LOCKED, so of several
   * instances sweeping at once each stalled fan-out goes to exactly one.
   */
  async takeStalledFanouts(leaseSeconds: number, limit: number): Promise<LeasedAlert[]> {
    // Only alerts being fanned out: a scheduled one waits for its time, a cancelled one never goes.
    const taken = await this.prisma.$queryRaw<{ id: string }[]>`
      UPDATE "Alert" SET "fanoutLeaseUntil" = now() + make_interval(secs => ${leaseSeconds})
      WHERE "id" IN (
        SELECT "id" FROM "Alert"
        WHERE "fannedOutAt" IS NULL AND "status" IN ('queued', 'sending')
          AND ("fanoutLeaseUntil" IS NULL OR "fanoutLeaseUntil" < now())
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED)
      RETURNING "id"`;
    return this.leased(taken.map((row) => row.id));
  }

  private async leased(ids: readonly string[]): Promise<LeasedAlert[]> {
    if (ids.length === 0) return [];
    const alerts = await this.prisma.alert.findMany({
      where: { id: { in: [...ids] } },
      include: { article: { select: { tags: true, publishedAt: true } } },
    });
    return alerts.map((alert) => ({
      id: alert.id,
      articleId: alert.articleId,
      tags: alert.tags,
      channels: alert.channels as AlertChannel[],
      test: alert.test,
      cursor: alert.fanoutCursor,
      article: alert.article,
    }));
  }

  /**
   * Marks the fan-out complete, recording the final audience: its rows, emails and pushes.
   * Returns false when it was already marked, e.g. by another instance.
   */
  async markFannedOut(alertId: string): Promise<boolean> {
    const updated = await this.prisma.$executeRaw`
      UPDATE "Alert" SET "fannedOutAt" = now(), "fanoutLeaseUntil" = NULL,
        "recipients" = (SELECT count(*) FROM "Delivery" d WHERE d."alertId" = ${alertId}::uuid)
      WHERE "id" = ${alertId}::uuid AND "fannedOutAt" IS NULL`;
    return updated > 0;
  }
}
