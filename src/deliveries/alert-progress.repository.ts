import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';

export interface AlertProgress {
  alertId: string;
  /** Set the first time an alert's email is accepted. */
  firstSendLatencySeconds: number | null;
  /** Set when the alert's last pending delivery is settled. */
  lastSendLatencySeconds: number | null;
}

/**
 * Keeps Alert.status / firstSentAt / lastSentAt in step with its deliveries.
 * An alert is only "sent" once its fan-out is complete: before that, its first
 * slice can drain while later slices are still being written.
 */
@Injectable()
export class AlertProgressRepository {
  constructor(private readonly prisma: PrismaService) {}

  async record(alertIds: readonly string[]): Promise<AlertProgress[]> {
    const first = await this.prisma.$queryRaw<{ id: string; latency: number }[]>`
      UPDATE "Alert" SET "firstSentAt" = now(), "status" = 'sending'
      WHERE "id" = ANY(${[...alertIds]}::uuid[]) AND "firstSentAt" IS NULL
        AND EXISTS (SELECT 1 FROM "Delivery" d WHERE d."alertId" = "Alert"."id" AND d."status" = 'sent')
      RETURNING "id", EXTRACT(EPOCH FROM (now() - "createdAt"))::float8 AS latency`;
    const last = await this.prisma.$queryRaw<{ id: string; latency: number }[]>`
      UPDATE "Alert" SET "status" = 'sent', "lastSentAt" = now()
      WHERE "id" = ANY(${[...alertIds]}::uuid[]) AND "status" <> 'sent' AND "fannedOutAt" IS NOT NULL
        AND NOT EXISTS (
          SELECT 1 FROM "Delivery" d
          WHERE d."alertId" = "Alert"."id" AND d."status" IN ('queued', 'sending', 'uncertain'))
      RETURNING "id", EXTRACT(EPOCH FROM (now() - "createdAt"))::float8 AS latency`;
    const byId = new Map<string, AlertProgress>();
    const entry = (id: string) => {
      const found = byId.get(id) ?? { alertId: id, firstSendLatencySeconds: null, lastSendLatencySeconds: null };
      byId.set(id, found);
      return found;
    };
    for (const row of first) entry(row.id).firstSendLatencySeconds = row.latency;
    for (const row of last) entry(row.id).lastSendLatencySeconds = row.latency;
    return [...byId.values()];
  }
}
