import type { TokenPurpose } from './tokens';

export interface TokenHolder {
  tokenVersion: number;
  status: 'pending' | 'confirmed' | 'unsubscribed';
}

/**
 * Whether a correctly signed token still speaks for its subscriber. Unsubscribing
 * bumps tokenVersion, which revokes every link sent before it, with two exceptions:
 *  - an unsubscribe link keeps "working" once the reader is unsubscribed, so a second
 *    one-click POST (RFC 8058 senders retry) is answered 200 rather than 400 — it
 *    can only ever lead to the state the reader is already in;
 *  - a re-subscribe link, offered on the page that confirms an unsubscribe, is signed
 *    with the bumped version and must survive later bumps.
 */
export function tokenStillValid(purpose: TokenPurpose, signedVersion: number, holder: TokenHolder): boolean {
  switch (purpose) {
    case 'unsubscribe':
      return signedVersion === holder.tokenVersion || (holder.status === 'unsubscribed' && signedVersion < holder.tokenVersion);
    case 'resubscribe':
      return signedVersion <= holder.tokenVersion;
    default:
      return signedVersion === holder.tokenVersion;
  }
}
