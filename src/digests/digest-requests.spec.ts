import { MAX_RUN_AHEAD_MS, parsePreviewDigest, parseRunDigests } from './digest-requests';

describe(parseRunDigests.name, () => {
  const NOW = new Date('2026-11-24T06:00:00Z');
  const sut = (body: unknown) => parseRunDigests(body, NOW);

  it('takes an instant up to 7 days ahead, and any in the past', () => {
    const latest = new Date(NOW.getTime() + MAX_RUN_AHEAD_MS);
    expect(sut({ at: latest.toISOString() })).toEqual({ ok: true, data: { at: latest } });
    expect(sut({ at: '2020-01-01T07:00:00Z' }).ok).toBe(true);
  });

  it('refuses an instant more than 7 days ahead, saying why', () => {
    const result = sut({ at: new Date(NOW.getTime() + MAX_RUN_AHEAD_MS + 1000).toISOString() });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(/^at: must be at most 7 days ahead \(no later than 2026-12-01T06:00:00\.000Z\)/);
    expect(sut({ at: '2099-01-01T07:00:00Z' }).ok).toBe(false);
  });

  it('takes no body, or an empty one, as "now"', () => {
    expect(sut(undefined)).toEqual({ ok: true, data: {} });
    expect(sut({})).toEqual({ ok: true, data: {} });
  });

  it('reads an instant in UTC or with an offset', () => {
    expect(sut({ at: '2026-11-24T07:00:00Z' })).toEqual({ ok: true, data: { at: new Date('2026-11-24T07:00:00Z') } });
    expect(sut({ at: '2026-11-24T12:30:00.000+05:30' })).toEqual({ ok: true, data: { at: new Date('2026-11-24T07:00:00Z') } });
  });

  it.each([
    ['a date without a time', '2026-11-24'],
    ['a local time without a zone', '2026-11-24T07:00:00'],
    ['an impossible date', '2026-02-30T07:00:00Z'],
    ['prose', 'tomorrow at seven'],
    ['a number', 1795762800000],
    ['null', null],
  ])('refuses %s, naming the field', (_label, at) => {
    const result = sut({ at });

    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(/^at: /);
  });

  it('refuses unknown fields instead of ignoring a typo', () => {
    expect(sut({ At: '2026-11-24T07:00:00Z' })).toEqual({ ok: false, message: 'At: is not an allowed field' });
  });

  it('refuses a body that is not an object', () => {
    expect(sut('2026-11-24T07:00:00Z').ok).toBe(false);
  });
});

describe(parsePreviewDigest.name, () => {
  const sut = parsePreviewDigest;

  it('needs an email and takes an optional instant', () => {
    expect(sut({ email: ' reader@example.com ' })).toEqual({ ok: true, data: { email: 'reader@example.com' } });
    expect(sut({ email: 'reader@example.com', at: '2026-11-24T07:00:00Z' })).toEqual({
      ok: true,
      data: { email: 'reader@example.com', at: new Date('2026-11-24T07:00:00Z') },
    });
  });

  it('refuses a missing or repeated email and a bad instant', () => {
    expect(sut({})).toEqual({ ok: false, message: 'email: is required' });
    expect(sut({ email: ['a@example.com', 'b@example.com'] }).ok).toBe(false);
    expect(sut({ email: 'reader@example.com', at: 'yesterday' }).ok).toBe(false);
    expect(sut({ email: 'x'.repeat(321) }).ok).toBe(false);
  });
});
