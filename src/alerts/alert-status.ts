import { Injectable } from '@nestjs/common';
import { DeliveryCountsRepository } from '../deliveries/delivery-counts.repository';
import { AlertAudienceRepository } from './alert-audience.repository';
import { AlertReport, alertReport, audienceWritten } from './alert-report';
import type { AlertChannel } from './alert-request';
import { AlertsRepository } from './alerts.repository';

/** GET /alerts/:id: the alert as asked and how far it got, per channel. */
@Injectable()
export class AlertStatus {
  constructor(
    private readonly alerts: AlertsRepository,
    private readonly counts: DeliveryCountsRepository,
    private readonly audience: AlertAudienceRepository,
  ) {}

  /** Null for an unknown alert. */
  async of(alertId: string): Promise<AlertReport | null> {
    const alert = await this.alerts.findById(alertId);
    if (!alert) return null;
    const [counts, audience] = await Promise.all([
      this.counts.forAlert(alertId),
      // Until its audience is written whole, it is counted as it stands now.
      audienceWritten(alert) ? null : this.audience.countAudience({ tags: alert.tags, channels: alert.channels as AlertChannel[], test: alert.test }),
    ]);
    return alertReport(alert, counts, audience);
  }
}
