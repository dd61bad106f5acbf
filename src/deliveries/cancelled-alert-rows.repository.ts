import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { ELIGIBILITY_CHANNEL } from './eligibility-notice';

/** Why a row of a cancelled alert was not sent; the worker skips with the same words. */
export const ALERT_CANCELLED = 'alert cancelled';

/**
 * The outbox side of cancelling an alert, once its status says cancelled: its waiting
 * rows are skipped at once, and every worker is told (the eligibility channel), so the
 * rows one already holds are checked again before they go. Only what is already
 * being handed to SMTP or a push service can still leave.
 */
@Injectable()
export class CancelledAlertRows {
  constructor(private readonly prisma: PrismaService) {}

  /** Returns how many waiting rows it skipped. */
  async stop(alertId: string): Promise<number> {
    const skipped = await this.prisma.$executeRaw`
      UPDATE "Delivery" SET "status" = 'skipped', "lastError" = ${ALERT_CANCELLED}
      WHERE "alertId" = ${alertId}::uuid AND "status" = 'queued'`;
    await this.prisma.$executeRaw`SELECT pg_notify(${ELIGIBILITY_CHANNEL}, ${`a:${alertId}`})`;
    return skipped;
  }
}
