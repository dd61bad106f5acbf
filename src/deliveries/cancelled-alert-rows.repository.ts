import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';

/** Why a row of a cancelled alert was not sent; the worker skips with the same words. */
export const ALERT_CANCELLED = 'alert cancelled';

/**
 * The outbox side of cancelling an alert: its rows still waiting are skipped at once, so
 * its status stops showing them as pending. Rows a worker already holds are checked
 * again before they go (eligibility), so nothing of a cancelled alert leaves after this.
 */
@Injectable()
export class CancelledAlertRows {
  constructor(private readonly prisma: PrismaService) {}

  /** Returns how many rows it skipped. */
  async skipQueued(alertId: string): Promise<number> {
    return this.prisma.$executeRaw`
      UPDATE "Delivery" SET "status" = 'skipped', "lastError" = ${ALERT_CANCELLED}
      WHERE "alertId" = ${alertId}::uuid AND "status" = 'queued'`;
  }
}
