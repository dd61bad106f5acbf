import { canonicalJson, idempotencyVerdict, requestHash } from './idempotency';

describe(canonicalJson.name, () => {
  it('sorts keys at every level and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe('{"a":{"c":null,"d":[2,1]},"b":1}');
    expect(canonicalJson({ sendAt: new Date('2026-11-24T07:00:00+01:00') })).toBe('{"sendAt":"2026-11-24T06:00:00.000Z"}');
  });
});

describe(requestHash.name, () => {
  it('is the same for the same body in any key order, and differs for another body', () => {
    const body = { articleId: 'quake', options: { channels: ['email'], test: false } };
    expect(requestHash({ options: { test: false, channels: ['email'] }, articleId: 'quake' })).toBe(requestHash(body));
    expect(requestHash({ ...body, articleId: 'other' })).not.toBe(requestHash(body));
    expect(requestHash({ ...body, options: { channels: ['push'], test: false } })).not.toBe(requestHash(body));
  });
});

describe(idempotencyVerdict.name, () => {
  const response = { alertId: 'a1', recipients: 3 };

  it('replays the first answer for the same body', () => {
    expect(idempotencyVerdict({ bodyHash: 'h', response }, 'h')).toEqual({ kind: 'replay', response });
  });

  it('is a conflict for another body, answered or not', () => {
    expect(idempotencyVerdict({ bodyHash: 'h', response }, 'other')).toEqual({ kind: 'conflict' });
    expect(idempotencyVerdict({ bodyHash: 'h', response: null }, 'other')).toEqual({ kind: 'conflict' });
  });

  it('says "in progress" while the first request with the same body has not answered', () => {
    expect(idempotencyVerdict({ bodyHash: 'h', response: null }, 'h')).toEqual({ kind: 'in-progress' });
  });
});
