import type { TokenPurpose } from './tokens';

export interface TokenHolder {
  tokenVersion: number;
  status: 'pending' | 'confirmed' | 'unsubscribed';
}

/**
 * Whether a correctly signed token still speaks for its subscriber. Unsubscribing
 * bumps tokenVersion, which revokes every link sent before it, with one exception:
 * an unsubscribe link keeps "working" while the reader is unsubscribed, so a second
 * one-click POST (RFC 8058 senders retry) is answered 200 rather than 400. It can only
 * lead to the state the reader is already in, and the pages it reaches offer nothing
 * that changes state: coming back is a new double opt-in (CONTRACT.md, Consent).
 */
export function tokenStillValid(purpose: TokenPurpose, signedVersion: number, holder: TokenHolder): boolean {
  switch (purpose) {
    case 'unsubscribe':
      return signedVersion === holder.tokenVersion || (holder.status === 'unsubscribed' && signedVersion < holder.tokenVersion);
    default:
      return signedVersion === holder.tokenVersion;
  }
}
