import { signToken, verifyToken } from '../subscriptions/tokens';

/**
 * A push subscription's management token: the reader tokens' HMAC signing, with a
 * purpose of its own, over the subscription's id. It is what lets a browser change or
 * remove its subscription without an email address or an account; removing the
 * subscription is what revokes it.
 */
export function pushToken(secret: string, subscriptionId: string): string {
  return signToken(secret, { purpose: 'push', subscriberId: subscriptionId, version: 0 });
}

export function pushTokenNames(secret: string, token: unknown, subscriptionId: string, now: Date): boolean {
  const verified = verifyToken(secret, token, 'push', now);
  return verified.ok && verified.payload.subscriberId === subscriptionId && verified.payload.version === 0;
}
