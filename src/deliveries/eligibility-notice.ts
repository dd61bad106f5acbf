/** The PostgreSQL channel the eligibility triggers announce on (migration 20261124090000). */
export const ELIGIBILITY_CHANNEL = 'dispatch_eligibility';

/** A reader's status or address changed (or they were erased), or an address was suppressed. */
export type EligibilityNotice = { subscriberId: string } | { emailHash: string };

/** Reads a notification payload; null for one this version does not know, which callers treat as "re-check everything". */
export function parseEligibilityNotice(payload: string | undefined): EligibilityNotice | null {
  if (payload?.startsWith('s:') && payload.length > 2) return { subscriberId: payload.slice(2) };
  if (payload?.startsWith('h:') && payload.length > 2) return { emailHash: payload.slice(2) };
  return null;
}

/** Whether a notice is about this reader: by id, or by the hash of their address (computed only when asked). */
export function noticeConcerns(notice: EligibilityNotice, subscriberId: string | null, addressHash: () => string | null): boolean {
  if ('subscriberId' in notice) return notice.subscriberId === subscriberId;
  return notice.emailHash === addressHash();
}
