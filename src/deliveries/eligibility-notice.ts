/** The PostgreSQL channel the eligibility triggers announce on (migration 20261124090000). */
export const ELIGIBILITY_CHANNEL = 'dispatch_eligibility';

/** A reader's status or address changed (or they were erased), an address was suppressed, a push subscription was removed, or an alert was cancelled. */
export type EligibilityNotice = { subscriberId: string } | { emailHash: string } | { pushSubscriptionId: string } | { alertId: string };

/** Reads a notification payload; null for one this version does not know, which callers treat as "re-check everything". */
export function parseEligibilityNotice(payload: string | undefined): EligibilityNotice | null {
  if (payload?.startsWith('s:') && payload.length > 2) return { subscriberId: payload.slice(2) };
  if (payload?.startsWith('h:') && payload.length > 2) return { emailHash: payload.slice(2) };
  if (payload?.startsWith('p:') && payload.length > 2) return { pushSubscriptionId: payload.slice(2) };
  if (payload?.startsWith('a:') && payload.length > 2) return { alertId: payload.slice(2) };
  return null;
}

/** Whether a notice is about this row's reader (by id, or by the hash of their address, computed only when asked), its push subscription or its alert. */
export function noticeConcerns(
  notice: EligibilityNotice,
  row: { subscriberId: string | null; pushSubscriptionId: string | null; alertId?: string | null },
  addressHash: () => string | null,
): boolean {
  if ('alertId' in notice) return notice.alertId === row.alertId;
  if ('subscriberId' in notice) return notice.subscriberId === row.subscriberId;
  if ('pushSubscriptionId' in notice) return notice.pushSubscriptionId === row.pushSubscriptionId;
  return notice.emailHash === addressHash();
}
