import type { DeliveryKind } from '../generated/prisma/enums';

/** Sends first when lower: a breaking alert never waits behind a digest run. */
export const PRIORITY: Record<DeliveryKind, number> = { alert: 0, confirm: 1, manage: 1, digest: 2 };

/** A row written to the outbox; the unique dedupeKey makes writing it twice a no-op. */
export interface NewDelivery {
  kind: DeliveryKind;
  dedupeKey: string;
  messageId: string;
  subscriberId: string;
  alertId?: string;
  runId?: string;
  articleIds?: string[];
  relatedIds?: string[];
  payload?: DeliveryPayload;
}

export interface DeliveryPayload {
  /** Digest: how many more matching articles the email leaves out. */
  more?: number;
  /** Digest: the period key, e.g. 2026-11-24 or 2026-W48. */
  period?: string;
}

/** A claimed row with what the claim query joined in to re-check eligibility and address it. */
export interface ClaimedDelivery {
  id: bigint;
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
}

export type DeliveryOutcome =
  | { status: 'sent' }
  | { status: 'skipped'; reason: string }
  | { status: 'retry'; error: string }
  | { status: 'failed'; error: string; hardBounce: boolean };

export function messageIdFor(kind: string, parts: string[], host: string): string {
  return `<${[kind, ...parts].join('.')}@${host}>`;
}
