import type { AlertPriority, AlertStatus, DeliveryKind } from '../generated/prisma/enums';

/** Sends first when lower: a breaking alert never waits behind a digest run. */
export const PRIORITY: Record<DeliveryKind, number> = { alert: 0, push: 0, confirm: 1, manage: 1, digest: 2 };

/** A row as its holder names it in every write: the id and the token of the claim that leased it. */
export interface HeldRow {
  id: bigint;
  leaseToken: string;
}

export interface DeliveryPayload {
  /** Digest: how many more matching articles the email leaves out. */
  more?: number;
  /** Digest: the period key, e.g. 2026-11-24 or 2026-W48. */
  period?: string;
}

/** A claimed row with what the claim query joined in to re-check eligibility and address it. */
export interface ClaimedDelivery extends HeldRow {
  kind: DeliveryKind;
  messageId: string;
  status: 'sending';
  /** The lease ran out on an earlier attempt: SMTP may already have it. */
  wasUncertain: boolean;
  attempts: number;
  subscriberId: string | null;
  alertId: string | null;
  articleIds: string[];
  relatedIds: string[];
  payload: DeliveryPayload;
  email: string | null;
  subscriberStatus: 'pending' | 'confirmed' | 'unsubscribed' | null;
  tokenVersion: number | null;
  suppressed: boolean;
  alertCreatedAt: Date | null;
  /** A scheduled alert's time: with its creation, when it was released to readers. */
  alertSendAt: Date | null;
  /** Alert and push rows: their alert's status, priority and whether it is a staff test; null for other kinds. */
  alertStatus: AlertStatus | null;
  alertPriority: AlertPriority | null;
  alertTest: boolean | null;
  /** The reader's time zone, quiet hours and daily cap of minor alerts (null for push rows). */
  timezone: string | null;
  quietHoursStart: number | null;
  quietHoursEnd: number | null;
  maxAlertsPerDay: number | null;
  /** Push rows: the subscription it goes to, and (joined by the claim) its endpoint and keys; all null once it was removed. */
  pushSubscriptionId: string | null;
  pushEndpoint: string | null;
  pushP256dh: string | null;
  pushAuth: string | null;
  createdAt: Date;
}
