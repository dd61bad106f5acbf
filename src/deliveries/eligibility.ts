import type { ClaimedDelivery } from './delivery.types';

/**
 * Decided at claim time, not when the row was queued: a reader who
 * unsubscribed or bounced in between gets nothing.
 * Returns the reason to skip, or null when the email may go.
 */
export function ineligibilityReason(
  row: Pick<ClaimedDelivery, 'kind' | 'email' | 'subscriberStatus' | 'suppressed' | 'pushEndpoint'> & Partial<Pick<ClaimedDelivery, 'alertStatus' | 'alertTest'>>,
): string | null {
  // Cancelling stops what has not gone out, whichever instance holds it.
  if (row.alertStatus === 'cancelled') return 'alert cancelled';
  // A push goes to a browser, not a reader: it may go while its subscription exists.
  if (row.kind === 'push') return row.pushEndpoint ? null : 'push subscription removed';
  if (!row.email || !row.subscriberStatus) return 'subscriber erased';
  if (row.suppressed) return 'address suppressed';
  // A test goes to the configured staff addresses, readers or not; never to a suppressed one.
  if (row.kind === 'alert' && row.alertTest) return null;
  const needed = row.kind === 'confirm' ? 'pending' : 'confirmed';
  if (row.subscriberStatus !== needed) return `subscriber is ${row.subscriberStatus}`;
  return null;
}
