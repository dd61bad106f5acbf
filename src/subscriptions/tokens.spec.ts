import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { signToken, TOKEN_PURPOSES, TokenPayload, verifyToken } from './tokens';

const SECRET = 'test-secret-at-least-16-chars';
const NOW = new Date('2026-11-23T09:00:00Z');
const DAY = 24 * 60 * 60 * 1000;

function aPayload(overrides: Partial<TokenPayload> = {}): TokenPayload {
  return {
    purpose: 'unsubscribe',
    subscriberId: '3f2b8c1e-9d4a-4e6b-8f7a-1c2d3e4f5a6b',
    version: 0,
    ...overrides,
  };
}

const flipCharAt = (token: string, index: number) => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const replacement = alphabet[(alphabet.indexOf(token[index]) + 1) % alphabet.length];
  return token.slice(0, index) + replacement + token.slice(index + 1);
};

describe(signToken.name, () => {
  const sut = signToken;

  it('makes short, URL-safe tokens', () => {
    const unsubscribe = sut(SECRET, aPayload());
    const confirm = sut(SECRET, aPayload({ purpose: 'confirm', expiresAt: new Date(NOW.getTime() + 7 * DAY) }));
    expect(unsubscribe).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(unsubscribe.length).toBeLessThanOrEqual(52);
    expect(confirm.length).toBeLessThanOrEqual(56);
  });

  it('is deterministic, so a re-sent email carries the same link', () => {
    expect(sut(SECRET, aPayload())).toBe(sut(SECRET, aPayload()));
  });

  it('differs per purpose, subscriber, version and secret', () => {
    const tokens = [
      sut(SECRET, aPayload()),
      sut(SECRET, aPayload({ purpose: 'preferences' })),
      sut(SECRET, aPayload({ subscriberId: '00000000-0000-4000-8000-000000000000' })),
      sut(SECRET, aPayload({ version: 1 })),
      sut('another-secret-of-16-chars', aPayload()),
    ];
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it('refuses to make a confirm token that never expires', () => {
    expect(() => sut(SECRET, aPayload({ purpose: 'confirm' }))).toThrow(RangeError);
  });

  it.each([
    ['a negative version', aPayload({ version: -1 })],
    ['a fractional version', aPayload({ version: 1.5 })],
    ['an empty subscriber id', aPayload({ subscriberId: '' })],
    ['an invalid expiry', aPayload({ expiresAt: new Date(Number.NaN) })],
    ['an unknown purpose', aPayload({ purpose: 'admin' as TokenPayload['purpose'] })],
  ])('refuses %s', (_, payload) => {
    expect(() => sut(SECRET, payload)).toThrow(RangeError);
  });

  it('refuses an empty secret', () => {
    expect(() => sut('', aPayload())).toThrow(RangeError);
  });
});

describe(verifyToken.name, () => {
  const sut = verifyToken;

  it.each(TOKEN_PURPOSES)('round-trips a %s token', (purpose) => {
    const payload = aPayload({ purpose, version: 41, expiresAt: new Date(NOW.getTime() + DAY) });
    expect(sut(SECRET, signToken(SECRET, payload), purpose, NOW)).toEqual({ ok: true, payload });
  });

  it('round-trips a token without expiry', () => {
    const token = signToken(SECRET, aPayload({ purpose: 'preferences', version: 3 }));
    expect(sut(SECRET, token, 'preferences', new Date('2100-01-01T00:00:00Z'))).toEqual({
      ok: true,
      payload: aPayload({ purpose: 'preferences', version: 3 }),
    });
  });

  it('round-trips a subscriber id that is not a lower-case uuid', () => {
    for (const subscriberId of ['3F2B8C1E-9D4A-4E6B-8F7A-1C2D3E4F5A6B', 'sub_42', 'é'.repeat(100)]) {
      const token = signToken(SECRET, aPayload({ subscriberId }));
      expect(sut(SECRET, token, 'unsubscribe', NOW)).toEqual({ ok: true, payload: aPayload({ subscriberId }) });
    }
  });

  it('returns the largest version', () => {
    const token = signToken(SECRET, aPayload({ version: 0xffff_ffff }));
    expect(sut(SECRET, token, 'unsubscribe', NOW)).toMatchObject({ ok: true, payload: { version: 0xffff_ffff } });
  });

  describe('expiry', () => {
    const expiresAt = new Date(NOW.getTime() + 7 * DAY);
    const token = signToken(SECRET, aPayload({ purpose: 'confirm', expiresAt }));

    it('accepts a token until its expiry', () => {
      expect(sut(SECRET, token, 'confirm', new Date(expiresAt.getTime() - 1)).ok).toBe(true);
    });

    it('refuses it from its expiry on', () => {
      expect(sut(SECRET, token, 'confirm', expiresAt)).toEqual({ ok: false, reason: 'expired' });
      expect(sut(SECRET, token, 'confirm', new Date(expiresAt.getTime() + DAY))).toEqual({ ok: false, reason: 'expired' });
    });

    it('keeps expiry to the second, rounding down so a token never lives longer than asked', () => {
      const at = new Date('2026-11-30T09:00:00.999Z');
      const verified = sut(SECRET, signToken(SECRET, aPayload({ purpose: 'confirm', expiresAt: at })), 'confirm', NOW);
      expect(verified).toMatchObject({ ok: true, payload: { expiresAt: new Date('2026-11-30T09:00:00.000Z') } });
    });
  });

  it('refuses a token of another purpose', () => {
    const token = signToken(SECRET, aPayload({ purpose: 'preferences' }));
    expect(sut(SECRET, token, 'unsubscribe', NOW)).toEqual({ ok: false, reason: 'wrong-purpose' });
  });

  it('checks the signature before the purpose or expiry, so it reveals nothing unsigned', () => {
    const token = signToken(SECRET, aPayload({ purpose: 'confirm', expiresAt: new Date(NOW.getTime() - DAY) }));
    expect(sut('a-different-secret-entirely', token, 'unsubscribe', NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a token signed with another secret', () => {
    const token = signToken('a-different-secret-entirely', aPayload());
    expect(sut(SECRET, token, 'unsubscribe', NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a token whose payload was altered to another subscriber or version', () => {
    const token = signToken(SECRET, aPayload({ version: 1 }));
    const body = Buffer.from(token, 'base64url');
    body.writeUInt32BE(0, 2);
    expect(sut(SECRET, body.toString('base64url'), 'unsubscribe', NOW)).toEqual({ ok: false, reason: 'bad-signature' });
    const other = Buffer.from(token, 'base64url');
    other[10] ^= 0x01;
    expect(sut(SECRET, other.toString('base64url'), 'unsubscribe', NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a token whose purpose was altered', () => {
    const token = Buffer.from(signToken(SECRET, aPayload({ purpose: 'preferences' })), 'base64url');
    token[1] = (token[1] & 0xf0) | 2;
    expect(sut(SECRET, token.toString('base64url'), 'unsubscribe', NOW)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('no longer reads a retired purpose (code 3 was "resubscribe"), even correctly signed', () => {
    const body = Buffer.from(signToken(SECRET, aPayload({ purpose: 'unsubscribe' })), 'base64url').subarray(0, -16);
    body[1] = (body[1] & 0xf0) | 3;
    const mac = createHmac('sha256', SECRET).update('dispatch-token\0').update(body).digest().subarray(0, 16);
    expect(sut(SECRET, Buffer.concat([body, mac]).toString('base64url'), 'unsubscribe', NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses every single-character change', () => {
    const token = signToken(SECRET, aPayload({ purpose: 'confirm', expiresAt: new Date(NOW.getTime() + DAY) }));
    for (let i = 0; i < token.length; i++) {
      const result = sut(SECRET, flipCharAt(token, i), 'confirm', NOW);
      expect(result.ok).toBe(false);
    }
  });

  it('refuses every truncation', () => {
    const token = signToken(SECRET, aPayload());
    for (let length = 0; length < token.length; length++) {
      expect(sut(SECRET, token.slice(0, length), 'unsubscribe', NOW).ok).toBe(false);
    }
  });

  it('refuses a token with bytes appended', () => {
    const token = signToken(SECRET, aPayload());
    expect(sut(SECRET, `${token}AAAA`, 'unsubscribe', NOW).ok).toBe(false);
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'abc$def'],
    ['standard base64 with padding', 'AQID+/=='],
    ['whitespace', ' abc '],
    ['huge', 'A'.repeat(100_000)],
    ['a number', 42],
    ['null', null],
    ['an array', ['token']],
  ])('calls %s input malformed', (_, token) => {
    expect(sut(SECRET, token, 'unsubscribe', NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('never throws, whatever string it is given', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.base64String(), fc.stringMatching(/^[A-Za-z0-9_-]{0,120}$/)), (token) => {
        const result = sut(SECRET, token, 'unsubscribe', NOW);
        return result.ok === false && ['malformed', 'bad-signature'].includes(result.reason);
      }),
      { numRuns: 1000 },
    );
  });

  it('never accepts random bytes of a plausible length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 80 }), (bytes) => {
        return sut(SECRET, Buffer.from(bytes).toString('base64url'), 'unsubscribe', NOW).ok === false;
      }),
      { numRuns: 1000 },
    );
  });
});
