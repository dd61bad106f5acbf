import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { CancelledAlertRows } from '../deliveries/cancelled-alert-rows.repository';
import { DeliveryCountsRepository } from '../deliveries/delivery-counts.repository';
import { AlertsRepository } from './alerts.repository';

export class AlertNotFoundError extends Error {}
/** Everything of the alert has gone out: nothing is left to cancel. */
export class AlertAlreadySentError extends Error {}

export interface CancelledAlert {
  alertId: string;
  status: 'cancelled';
  /** What had gone out (emails and pushes) when it was cancelled. */
  sent: number;
}

/**
 * DELETE /alerts/:id: stops whatever has not gone out. The alert's status says so first
 * (its fan-out stops at its next slice, and no worker sends a row of it after that),
 * then its waiting rows are skipped. Cancelling a cancelled alert answers the same again.
 */
@Injectable()
export class CancelAlert {
  private readonly logger = new Logger(CancelAlert.name);

  constructor(
    private readonly alerts: AlertsRepository,
    private readonly rows: CancelledAlertRows,
    private readonly counts: DeliveryCountsRepository,
    private readonly clock: Clock,
  ) {}

  async execute(alertId: string, by: string): Promise<CancelledAlert> {
    const outcome = await this.alerts.cancel(alertId, this.clock.now());
    if (!outcome) throw new AlertNotFoundError(`alert ${alertId} does not exist`);
    if (outcome.status !== 'cancelled') throw new AlertAlreadySentError(`alert ${alertId} has already been sent in full; nothing is left to cancel`);
    const skipped = await this.rows.stop(alertId);
    const { email, push } = await this.counts.forAlert(alertId);
    this.logger.log({ alertId, by, skipped, msg: 'alert cancelled' });
    return { alertId, status: 'cancelled', sent: email.sent + push.sent };
  }
}
