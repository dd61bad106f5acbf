import { generateVAPIDKeys } from 'web-push';
import { VAPID_JWT_LIFETIME_SECONDS, VAPID_RENEW_BEFORE_SECONDS, VapidHeaders } from './vapid-headers';

describe(VapidHeaders.name, () => {
  const start = Date.parse('2026-12-05T07:00:00Z');
  let now: number;
  let signed: { audience: string; exp: number }[];
  let sut: VapidHeaders;

  beforeEach(() => {
    now = start;
    signed = [];
    sut = new VapidHeaders((audience, exp) => {
      signed.push({ audience, exp });
      return `vapid t=${audience}|${exp}, k=key`;
    }, () => now);
  });

  it('signs once per push-service origin, with an expiry 12 hours ahead', () => {
    const fcm = sut.authorization('https://fcm.googleapis.com');
    expect(sut.authorization('https://fcm.googleapis.com')).toBe(fcm);
    sut.authorization('https://updates.push.services.mozilla.com');

    expect(signed).toEqual([
      { audience: 'https://fcm.googleapis.com', exp: start / 1000 + VAPID_JWT_LIFETIME_SECONDS },
      { audience: 'https://updates.push.services.mozilla.com', exp: start / 1000 + VAPID_JWT_LIFETIME_SECONDS },
    ]);
  });

  it('reuses a header while it has more than an hour to live, and signs a new one after', () => {
    const first = sut.authorization('https://fcm.googleapis.com');
    const renewAt = start + (VAPID_JWT_LIFETIME_SECONDS - VAPID_RENEW_BEFORE_SECONDS) * 1000;

    now = renewAt - 1000;
    expect(sut.authorization('https://fcm.googleapis.com')).toBe(first);
    now = renewAt;
    const second = sut.authorization('https://fcm.googleapis.com');

    expect(second).not.toBe(first);
    expect(signed.map((s) => s.exp)).toEqual([start / 1000 + VAPID_JWT_LIFETIME_SECONDS, renewAt / 1000 + VAPID_JWT_LIFETIME_SECONDS]);
  });

  it('never hands out a JWT within an hour of its expiry, nor one reaching past RFC 8292’s 24 hours', () => {
    for (let minutes = 0; minutes < 48 * 60; minutes += 7) {
      now = start + minutes * 60_000;
      sut.authorization('https://fcm.googleapis.com');
      const exp = signed[signed.length - 1].exp * 1000;
      expect(exp - now).toBeGreaterThan(VAPID_RENEW_BEFORE_SECONDS * 1000);
      expect(exp - now).toBeLessThanOrEqual(24 * 3600_000);
    }
  });

  it('signs with web-push a header that names the origin and our key', () => {
    const vapid = { ...generateVAPIDKeys(), subject: 'mailto:ops@example.com' };
    const header = VapidHeaders.forConfig(vapid).authorization('https://fcm.googleapis.com');

    const [, jwt, key] = /^vapid t=([^,]+), k=(.+)$/.exec(header) ?? [];
    expect(key).toBe(vapid.publicKey);
    const claims = JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as { aud: string; sub: string; exp: number };
    expect(claims).toMatchObject({ aud: 'https://fcm.googleapis.com', sub: vapid.subject });
    expect(claims.exp * 1000 - Date.now()).toBeGreaterThan(11 * 3600_000);
  });
});
