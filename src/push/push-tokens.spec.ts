import { signToken } from '../subscriptions/tokens';
import { pushToken, pushTokenNames } from './push-tokens';

describe('push tokens', () => {
  const secret = 'a-test-secret-of-16+';
  const id = '7b0c8f8e-3f0a-4c55-9a57-2f1c4c3b8a10';
  const other = '0d1e2f30-4152-4637-8899-aabbccddeeff';
  const now = new Date('2026-12-05T07:00:00Z');

  it('names the subscription it was made for, and no other', () => {
    const token = pushToken(secret, id);
    expect(pushTokenNames(secret, token, id, now)).toBe(true);
    expect(pushTokenNames(secret, token, other, now)).toBe(false);
  });

  it('refuses another secret, another purpose, a truncated token and garbage', () => {
    const token = pushToken(secret, id);
    expect(pushTokenNames('another-secret-of-16+', token, id, now)).toBe(false);
    expect(pushTokenNames(secret, signToken(secret, { purpose: 'unsubscribe', subscriberId: id, version: 0 }), id, now)).toBe(false);
    expect(pushTokenNames(secret, token.slice(0, -2), id, now)).toBe(false);
    expect(pushTokenNames(secret, undefined, id, now)).toBe(false);
    expect(pushTokenNames(secret, ['x'], id, now)).toBe(false);
  });
});
