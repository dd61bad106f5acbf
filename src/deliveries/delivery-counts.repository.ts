import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { PUSH_GONE_ERRORS } from '../push/push-transport';

/** What became of an alert's rows of one kind so far. */
export interface KindCounts {
  /** Rows queued for it, whatever became of them. */
  rows: number;
  sent: number;
  failed: number;
  /** Still queued, held by the reader's quiet hours or daily cap. */
  held: number;
  /** Of the failed pushes, those whose subscription was gone (404/410, and removed). */
  expired: number;
  bounced: number;
  complained: number;
}

/** An alert's emails (`alert` rows) and web pushes (`push` rows). */
export interface AlertDeliveryCounts {
  email: KindCounts;
  push: KindCounts;
}

const NONE: KindCounts = { rows: 0, sent: 0, failed: 0, held: 0, expired: 0, bounced: 0, complained: 0 };

/** What became of an alert's emails and pushes so far, for its status: one query, grouped by kind. */
@Injectable()
export class DeliveryCountsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async forAlert(alertId: string): Promise<AlertDeliveryCounts> {
    const rows = await this.prisma.$queryRaw<({ kind: 'alert' | 'push' } & Record<keyof KindCounts, bigint>)[]>`
      SELECT d."kind"::text AS "kind", count(*) AS "rows",
        count(*) FILTER (WHERE d."status" = 'sent') AS "sent",
        count(*) FILTER (WHERE d."status" = 'failed') AS "failed",
        count(*) FILTER (WHERE d."status" = 'queued' AND d."heldUntil" IS NOT NULL) AS "held",
        count(*) FILTER (WHERE d."status" = 'failed' AND d."kind" = 'push' AND d."lastError" = ANY(${PUSH_GONE_ERRORS}::text[])) AS "expired",
        count(*) FILTER (WHERE d."feedback" = 'bounced') AS "bounced",
        count(*) FILTER (WHERE d."feedback" = 'complained') AS "complained"
      FROM "Delivery" d
      WHERE d."alertId" = ${alertId}::uuid
      GROUP BY d."kind"`;
    const of = (kind: 'alert' | 'push'): KindCounts => {
      const row = rows.find((candidate) => candidate.kind === kind);
      if (!row) return NONE;
      return { rows: Number(row.rows), sent: Number(row.sent), failed: Number(row.failed), held: Number(row.held), expired: Number(row.expired), bounced: Number(row.bounced), complained: Number(row.complained) };
    };
    return { email: of('alert'), push: of('push') };
  }
}
