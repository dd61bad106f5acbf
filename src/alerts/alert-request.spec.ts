import { DEFAULT_ALERT_OPTIONS, isAlertId, parseAlertPreviewRequest, parseCreateAlertRequest, parseIdempotencyKey, sendAtProblem } from './alert-request';

const anInlineArticle = (overrides: Record<string, unknown> = {}) => ({
  id: 'quake-2026',
  title: 'Earthquake hits the coast',
  url: 'https://news.example.com/quake',
  tags: ['#World', 'breaking-news'],
  publishedAt: '2026-11-23T09:00:00Z',
  ...overrides,
});

describe(parseCreateAlertRequest.name, () => {
  const sut = parseCreateAlertRequest;

  it('accepts an article id and defaults to no re-send and the article’s own audience', () => {
    expect(sut({ articleId: 'quake-2026' })).toEqual({ ok: true, data: { articleId: 'quake-2026', resend: false, options: DEFAULT_ALERT_OPTIONS } });
    expect(DEFAULT_ALERT_OPTIONS).toEqual({ channels: ['email', 'push'], priority: 'major', test: false });
  });

  it('validates an inline article with the event schema and normalises its tags', () => {
    const result = sut({ article: anInlineArticle() });

    expect(result.ok).toBe(true);
    if (!result.ok || !('article' in result.data)) throw new Error('expected an inline article');
    expect(result.data.article.tags).toEqual(['world', 'breaking-news']);
    expect(result.data.article.publishedAt).toEqual(new Date('2026-11-23T09:00:00Z'));
  });

  it('normalises audience tags and keeps an explicit re-send', () => {
    expect(sut({ articleId: 'a', tags: ['#AINews', 'ainews', ' Cloud '], resend: true })).toEqual({
      ok: true,
      data: { articleId: 'a', tags: ['ainews', 'cloud'], resend: true, options: DEFAULT_ALERT_OPTIONS },
    });
  });

  it('names the field at fault', () => {
    expect(sut({ articleId: 42 })).toEqual({ ok: false, message: 'articleId: must be a string of 1 to 200 characters' });
    expect(sut({ articleId: 'a\u0000b' })).toEqual({ ok: false, message: 'articleId: must not contain control characters' });
    expect(sut({ articleId: 'a', tags: ['no spaces'] })).toMatchObject({ ok: false, message: expect.stringMatching(/^tags\[0\]: must be 1 to 50/) });
    expect(sut({ articleId: 'a', tags: [] })).toEqual({ ok: false, message: 'tags: at least 1 tag' });
    expect(sut({ articleId: 'a', resend: 'yes' })).toEqual({ ok: false, message: 'resend: must be true or false' });
    expect(sut({ article: anInlineArticle({ title: undefined }) })).toEqual({ ok: false, message: 'article.title: is required' });
    expect(sut({ article: anInlineArticle({ url: 'javascript:alert(1)' }) })).toEqual({ ok: false, message: 'article.url: must be an absolute http(s) URL' });
  });

  it('reads the alert options: channels (in a fixed order, without repeats), priority, test and sendAt', () => {
    expect(sut({ articleId: 'a', channels: ['push', 'email', 'push'], priority: 'minor', test: true, sendAt: '2026-11-24T07:00:00+01:00' })).toEqual({
      ok: true,
      data: { articleId: 'a', resend: false, options: { channels: ['email', 'push'], priority: 'minor', test: true, sendAt: new Date('2026-11-24T06:00:00Z') } },
    });
    expect(sut({ articleId: 'a', channels: ['push'] })).toMatchObject({ ok: true, data: { options: { channels: ['push'] } } });
  });

  it('names an unknown channel, and refuses an empty or malformed channel list', () => {
    expect(sut({ articleId: 'a', channels: ['email', 'sms'] })).toEqual({ ok: false, message: 'channels[1]: "sms" is not a channel; use "email" or "push"' });
    expect(sut({ articleId: 'a', channels: ['<script>'] })).toEqual({ ok: false, message: 'channels[0]: is not a channel; use "email" or "push"' });
    expect(sut({ articleId: 'a', channels: [] })).toEqual({ ok: false, message: 'channels: at least one channel ("email", "push")' });
    expect(sut({ articleId: 'a', channels: 'email' })).toEqual({ ok: false, message: 'channels: must be a list of channels, e.g. ["email", "push"]' });
    expect(sut({ articleId: 'a', channels: [7] })).toEqual({ ok: false, message: 'channels[0]: must be "email" or "push"' });
  });

  it('refuses a bad priority, test flag or sendAt', () => {
    expect(sut({ articleId: 'a', priority: 'high' })).toEqual({ ok: false, message: 'priority: must be one of "major", "minor"' });
    expect(sut({ articleId: 'a', test: 'yes' })).toEqual({ ok: false, message: 'test: must be true or false' });
    for (const sendAt of ['tomorrow', '2026-11-24', '2026-11-24T07:00:00', '2026-13-24T07:00:00Z', 1764000000000]) {
      expect(sut({ articleId: 'a', sendAt })).toMatchObject({ ok: false, message: expect.stringMatching(/^sendAt: must be an ISO 8601 instant/) });
    }
  });

  it('refuses a body with neither or both of articleId and article', () => {
    const message = 'body: give exactly one of "articleId" or "article"';
    expect(sut({})).toEqual({ ok: false, message });
    expect(sut({ articleId: 'quake-2026', article: anInlineArticle() })).toEqual({ ok: false, message });
  });

  it('refuses unknown fields and bodies that are not objects', () => {
    expect(sut({ articleId: 'a', audience: ['x'] })).toEqual({ ok: false, message: 'audience: is not an allowed field' });
    expect(sut(undefined)).toEqual({ ok: false, message: 'body: is required' });
    expect(sut([])).toEqual({ ok: false, message: 'body: must be a JSON object' });
  });
});

describe(parseAlertPreviewRequest.name, () => {
  const sut = parseAlertPreviewRequest;

  it('reads the article id and treats missing or empty tags as the article’s own', () => {
    expect(sut({ articleId: 'quake-2026' })).toEqual({ ok: true, data: { articleId: 'quake-2026' } });
    expect(sut({ articleId: 'quake-2026', tags: '' })).toEqual({ ok: true, data: { articleId: 'quake-2026' } });
  });

  it('takes tags comma-separated or repeated, normalised', () => {
    expect(sut({ articleId: 'a', tags: '#AINews,cloud' })).toEqual({ ok: true, data: { articleId: 'a', tags: ['ainews', 'cloud'] } });
    expect(sut({ articleId: 'a', tags: ['World', 'ainews,world'] })).toEqual({ ok: true, data: { articleId: 'a', tags: ['world', 'ainews'] } });
  });

  it('names the parameter at fault', () => {
    expect(sut({})).toEqual({ ok: false, message: 'articleId: is required' });
    expect(sut({ articleId: 'a\u0000b' })).toEqual({ ok: false, message: 'articleId: must not contain control characters' });
    expect(sut({ articleId: 'a', tags: 'bad tag' })).toMatchObject({ ok: false, message: expect.stringMatching(/^tags\[0\]: must be 1 to 50/) });
  });
});

describe(isAlertId.name, () => {
  it('accepts uuids only', () => {
    expect(isAlertId('0b7c8f4e-6a1d-4c55-9a43-2f7e1c9d0a11')).toBe(true);
    expect(isAlertId('42')).toBe(false);
    expect(isAlertId("0b7c8f4e-6a1d-4c55-9a43-2f7e1c9d0a11' or 1=1")).toBe(false);
  });
});

describe(sendAtProblem.name, () => {
  const now = new Date('2026-11-23T09:00:00Z');

  it('accepts an instant in the future up to 7 days ahead', () => {
    expect(sendAtProblem(new Date('2026-11-23T09:00:01Z'), now)).toBeNull();
    expect(sendAtProblem(new Date('2026-11-30T09:00:00Z'), now)).toBeNull();
  });

  it('refuses now, the past and more than 7 days ahead', () => {
    expect(sendAtProblem(now, now)).toBe('sendAt: must be in the future (leave it out to send at once)');
    expect(sendAtProblem(new Date('2026-11-22T09:00:00Z'), now)).toMatch(/^sendAt: must be in the future/);
    expect(sendAtProblem(new Date('2026-11-30T09:00:00.001Z'), now)).toBe('sendAt: must be at most 7 days ahead');
  });
});

describe(parseIdempotencyKey.name, () => {
  it('is null without the header and the key itself when it is 1 to 200 printable characters', () => {
    expect(parseIdempotencyKey(undefined)).toEqual({ ok: true, data: null });
    expect(parseIdempotencyKey('a')).toEqual({ ok: true, data: 'a' });
    expect(parseIdempotencyKey('k'.repeat(200))).toEqual({ ok: true, data: 'k'.repeat(200) });
    expect(parseIdempotencyKey('send quake alert #1 ~ {ok}')).toMatchObject({ ok: true });
  });

  it.each([[''], ['k'.repeat(201)], ['caf\u00e9'], ['tab\there'], ['nul\u0000'], [['a', 'b']]])('refuses %j', (header) => {
    expect(parseIdempotencyKey(header)).toEqual({ ok: false, message: 'Idempotency-Key: must be 1 to 200 printable ASCII characters' });
  });
});
