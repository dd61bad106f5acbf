import type { AlertDeliveryCounts } from '../deliveries/delivery-counts.repository';
import type { Alert } from '../generated/prisma/client';
import type { AudienceSize } from './alert-audience.repository';
import type { AlertChannel } from './alert-request';

interface ChannelProgress {
  recipients: number;
  sent: number;
  failed: number;
  held: number;
}

export interface EmailProgress extends ChannelProgress {
  bounced: number;
  complained: number;
}

export interface PushProgress extends ChannelProgress {
  /** Of `failed`: the browser's subscription was gone (404/410) and is removed. */
  expired: number;
}

/**
 * GET /alerts/:id. The top-level figures are totals over both channels (bounced and
 * complained exist for email only); `channels` splits them. `requestedChannels`,
 * `priority`, `test` and `sendAt` are what the alert was asked to be.
 */
export interface AlertReport {
  alertId: string;
  status: Alert['status'];
  recipients: number;
  sent: number;
  failed: number;
  held: number;
  bounced: number;
  complained: number;
  channels: { email: EmailProgress; push: PushProgress };
  requestedChannels: AlertChannel[];
  priority: Alert['priority'];
  test: boolean;
  sendAt: string | null;
  /** Only once cancelled: "editor", or "missed" (found more than an hour after its time). */
  cancelReason?: string;
  cancelledAt?: string;
}

/** Whether the alert's rows are its whole audience: fanned out, or stopped (cancelled). */
export function audienceWritten(alert: Pick<Alert, 'fannedOutAt' | 'status'>): boolean {
  return alert.fannedOutAt !== null || alert.status === 'cancelled';
}

/**
 * Shapes an alert's status from its row and its deliveries. `audience` is the counted
 * audience while it is not written whole yet (scheduled, or being fanned out); once it
 * is, recipients are the rows.
 */
export function alertReport(
  alert: Pick<Alert, 'id' | 'status' | 'channels' | 'priority' | 'test' | 'sendAt' | 'cancelReason' | 'cancelledAt' | 'fannedOutAt'>,
  counts: AlertDeliveryCounts,
  audience: AudienceSize | null,
): AlertReport {
  const { email, push } = counts;
  const emailProgress: EmailProgress = { recipients: audience?.email ?? email.rows, sent: email.sent, failed: email.failed, held: email.held, bounced: email.bounced, complained: email.complained };
  const pushProgress: PushProgress = { recipients: audience?.push ?? push.rows, sent: push.sent, failed: push.failed, held: push.held, expired: push.expired };
  return {
    alertId: alert.id,
    status: alert.status,
    recipients: emailProgress.recipients + pushProgress.recipients,
    sent: emailProgress.sent + pushProgress.sent,
    failed: emailProgress.failed + pushProgress.failed,
    held: emailProgress.held + pushProgress.held,
    bounced: emailProgress.bounced,
    complained: emailProgress.complained,
    channels: { email: emailProgress, push: pushProgress },
    requestedChannels: alert.channels as AlertChannel[],
    priority: alert.priority,
    test: alert.test,
    sendAt: alert.sendAt?.toISOString() ?? null,
    ...(alert.status === 'cancelled' ? { cancelReason: alert.cancelReason ?? 'editor', ...(alert.cancelledAt ? { cancelledAt: alert.cancelledAt.toISOString() } : {}) } : {}),
  };
}
