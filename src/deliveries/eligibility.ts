import type { ClaimedDelivery } from './delivery.types';

/**
 * Decided at claim time, not when the row was queued: a reader who
 * unsubscribed or bounced in between gets nothing.
 * Returns the reason to skip, or null when the email may go.
 */
export function ineligibilityReason(row: Pick<ClaimedDelivery, 'kind' | 'email' | 'subscriberStatus' | 'suppressed' | 'pushEndpoint'>): string | null {
  // A push goes to a browser, not a reader: it may go while its subscription exists.
  if (row.kind === 'push') return row.pushEndpoint ? null : 'push subscription removed';
  if (!row.email || !row.subscriberStatus) return 'subscriber erased';
  if (row.suppressed) return 'address suppressed';
  const needed = row.kind === 'confirm' ? 'pending' : 'confirmed';
  if (row.subscriberStatus !== needed) return `subscriber is ${row.subscriberStatus}`;
  return null;
}
