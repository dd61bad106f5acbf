import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';

/** An alert that just reached its first or last email, and how long after it was due: its creation, or its sendAt when scheduled. */
export interface AlertEdge {
  alertId: string;
  latencySeconds: number;
}

/**
 * Keeps Alert.status / firstSentAt / lastSentAt in step with its deliveries (read, never written, here).
 * A cancelled alert never becomes sending or sent.
 * An alert is only "sent" once its fan-out is complete: before that, its first
 * slice can drain while later slices are still being written.
 */
@Injectable()
export class AlertProgressRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Alerts with a sent email but no firstSentAt yet become "sending"; returns those it changed. */
  async recordFirstSends(alertIds: readonly string[]): Promise<AlertEdge[]> {
    if (alertIds.length === 0) return [];
    return this.prisma.$queryRaw<AlertEdge[]>`
      UPDATE "Alert" SET "firstSentAt" = now(),
        -- Another worker may already have completed it: never step back from "sent"; a cancelled alert stays cancelled.
        "status" = CASE WHEN "status" IN ('sent', 'cancelled') THEN "status" ELSE 'sending'::"AlertStatus" END
      WHERE "id" = ANY(${[...alertIds]}::uuid[]) AND "firstSentAt" IS NULL
        AND EXISTS (SELECT 1 FROM "Delivery" d WHERE d."alertId" = "Alert"."id" AND d."status" = 'sent')
      RETURNING "id" AS "alertId", EXTRACT(EPOCH FROM (now() - COALESCE("sendAt", "createdAt")))::float8 AS "latencySeconds"`;
  }

  /** Fanned-out alerts with nothing left to send become "sent"; returns those it changed. */
  async recordCompletions(alertIds: readonly string[]): Promise<AlertEdge[]> {
    if (alertIds.length === 0) return [];
    return this.prisma.$queryRaw<AlertEdge[]>`
      UPDATE "Alert" SET "status" = 'sent', "lastSentAt" = now()
      WHERE "id" = ANY(${[...alertIds]}::uuid[]) AND "status" IN ('queued', 'sending') AND "fannedOutAt" IS NOT NULL
        AND NOT EXISTS (
          SELECT 1 FROM "Delivery" d
          WHERE d."alertId" = "Alert"."id" AND d."status" IN ('queued', 'sending', 'uncertain'))
      RETURNING "id" AS "alertId", EXTRACT(EPOCH FROM (now() - COALESCE("sendAt", "createdAt")))::float8 AS "latencySeconds"`;
  }
}
