import { getVapidHeaders } from 'web-push';
import type { PushConfig } from '../config/config';

/** A signed VAPID JWT's lifetime: RFC 8292 §2 allows at most 24 hours; web-push's own default is 12. */
export const VAPID_JWT_LIFETIME_SECONDS = 12 * 3600;
/**
 * A cached header is signed afresh once it has less than this to live, so no push carries
 * a JWT about to expire by a push service whose clock runs a little ahead of ours.
 */
export const VAPID_RENEW_BEFORE_SECONDS = 3600;
/** Push-service origins remembered at once: a handful in practice, bounded all the same. */
const MAX_AUDIENCES = 1000;

type Signer = (audience: string, expiresAtSeconds: number) => string;

/**
 * The `Authorization: vapid t=…, k=…` header (RFC 8292) per push-service origin, signed
 * once and reused until it nears its expiry. web-push would sign a fresh ES256 JWT for
 * every message, which cost more CPU than encrypting the message itself; the JWT only
 * names the origin, our subject and an expiry, so one per origin serves every push.
 */
export class VapidHeaders {
  private readonly byAudience = new Map<string, { header: string; expiresAtMs: number }>();

  constructor(
    private readonly sign: Signer,
    private readonly now: () => number = Date.now,
  ) {}

  static forConfig(vapid: PushConfig['vapid']): VapidHeaders {
    return new VapidHeaders(
      (audience, exp) => getVapidHeaders(audience, vapid.subject, vapid.publicKey, vapid.privateKey, 'aes128gcm', exp).Authorization,
    );
  }

  /** The header for pushes to `audience` (the endpoint's origin, e.g. https://fcm.googleapis.com). */
  authorization(audience: string): string {
    const now = this.now();
    const cached = this.byAudience.get(audience);
    if (cached && cached.expiresAtMs - now > VAPID_RENEW_BEFORE_SECONDS * 1000) return cached.header;
    const exp = Math.floor(now / 1000) + VAPID_JWT_LIFETIME_SECONDS;
    const header = this.sign(audience, exp);
    this.byAudience.delete(audience);
    if (this.byAudience.size >= MAX_AUDIENCES) this.byAudience.delete(this.byAudience.keys().next().value as string);
    this.byAudience.set(audience, { header, expiresAtMs: exp * 1000 });
    return header;
  }
}
