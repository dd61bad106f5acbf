import { createECDH, randomBytes } from 'node:crypto';
import { parseCreatePushSubscription, parseUpdatePushSubscription } from './push-subscription-request';

describe(parseCreatePushSubscription.name, () => {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const keys = { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') };
  const endpoint = 'https://fcm.googleapis.com/fcm/send/abc';
  const body = (over: Record<string, unknown> = {}) => ({ subscription: { endpoint, expirationTime: null, keys }, tags: ['#AINews', 'ainews', 'tech'], ...over });

  it('reads a browser subscription, tags normalised', () => {
    expect(parseCreatePushSubscription(body())).toEqual({ ok: true, data: { endpoint, ...keys, tags: ['ainews', 'tech'], staff: false } });
  });

  it('takes staff: true', () => {
    expect(parseCreatePushSubscription(body({ staff: true }))).toMatchObject({ ok: true, data: { staff: true } });
  });

  it.each([
    ['no subscription', { tags: ['a'] }],
    ['no tags', { subscription: { endpoint, keys } }],
    ['empty tags', body({ tags: [] })],
    ['a bad tag', body({ tags: ['a b'] })],
    ['a short p256dh', body({ subscription: { endpoint, keys: { ...keys, p256dh: randomBytes(33).toString('base64url') } } })],
    ['a compressed p256dh', body({ subscription: { endpoint, keys: { ...keys, p256dh: Buffer.concat([Buffer.from([2]), randomBytes(64)]).toString('base64url') } } })],
    ['a long auth', body({ subscription: { endpoint, keys: { ...keys, auth: randomBytes(32).toString('base64url') } } })],
    ['staff not a boolean', body({ staff: 'yes' })],
    ['an unknown field', body({ email: 'a@b.c' })],
    ['not an object', 'hello'],
  ])('refuses %s', (_why, input) => {
    expect(parseCreatePushSubscription(input)).toEqual({ ok: false, message: expect.any(String) });
  });
});

describe(parseUpdatePushSubscription.name, () => {
  it('takes a new tag list and nothing else', () => {
    expect(parseUpdatePushSubscription({ tags: ['#Tech'] })).toEqual({ ok: true, data: { tags: ['tech'] } });
    expect(parseUpdatePushSubscription({ tags: ['tech'], staff: true }).ok).toBe(false);
  });
});
