import fc from 'fast-check';
import { theContractExample } from '../../tests/support/builders';
import { articleEventSchema, decodeArticleEvent, MAX_EVENT_BYTES, parseArticleEvent } from './article-event';

const encode = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');

function reasonFor(overrides: Record<string, unknown>): string {
  const result = decodeArticleEvent(encode(theContractExample(overrides)));
  if (result.ok) throw new Error('expected the event to be rejected');
  return result.reason;
}

function articleFor(overrides: Record<string, unknown>) {
  const result = decodeArticleEvent(encode(theContractExample(overrides)));
  if (!result.ok) throw new Error(`expected the event to be accepted: ${result.reason}`);
  return result.article;
}

describe(decodeArticleEvent.name, () => {
  const sut = decodeArticleEvent;

  describe('a valid event', () => {
    it('decodes the contract example', () => {
      expect(sut(encode(theContractExample()))).toEqual({
        ok: true,
        article: {
          id: 'aichief-2026-musk-synthetic-data',
          title: 'Elon Musk Agrees AI Training Data Has Been Exhausted, Advocates for Synthetic Data',
          url: 'https://example.com/news/musk-synthetic-data',
          summary: 'Elon Musk confirms that AI training data is exhausted and suggests synthetic data as the future solution.',
          tags: ['news', 'ainews', 'syntheticdata'],
          publishedAt: new Date('2026-11-23T09:00:00Z'),
          author: 'Editorial Staff',
          imageUrl: 'https://example.com/img/musk.jpg',
          breaking: false,
        },
      });
    });

    it('needs only the required fields and defaults breaking to false', () => {
      const article = articleFor({ summary: undefined, author: undefined, imageUrl: undefined, breaking: undefined });
      expect(article.breaking).toBe(false);
      expect(article).not.toHaveProperty('summary', expect.anything());
      expect(article.author).toBeUndefined();
      expect(article.imageUrl).toBeUndefined();
    });

    it('treats null optional fields as absent', () => {
      const article = articleFor({ summary: null, author: null, imageUrl: null, breaking: null });
      expect(article).toMatchObject({ summary: undefined, author: undefined, imageUrl: undefined, breaking: false });
    });

    it('normalises and de-duplicates tags', () => {
      expect(articleFor({ tags: ['#AINews', 'ainews', ' News '] }).tags).toEqual(['ainews', 'news']);
    });

    it('keeps breaking: true', () => {
      expect(articleFor({ breaking: true }).breaking).toBe(true);
    });

    it.each([
      ['2026-11-23T10:30:00+01:30', '2026-11-23T09:00:00.000Z'],
      ['2026-11-23T14:30:00.5+05:30', '2026-11-23T09:00:00.500Z'],
      ['2026-11-23T04:00:00-0500', '2026-11-23T09:00:00.000Z'],
      ['2026-11-23T09:00Z', '2026-11-23T09:00:00.000Z'],
    ])('reads publishedAt %s as the instant %s', (publishedAt, instant) => {
      expect(articleFor({ publishedAt }).publishedAt.toISOString()).toBe(instant);
    });

    it('puts the title on one line', () => {
      expect(articleFor({ title: '  Breaking:\r\nBcc: victim@example.com\u0007 ' }).title).toBe(
        'Breaking: Bcc: victim@example.com',
      );
    });

    it('keeps paragraphs in the summary but no other control characters', () => {
      expect(articleFor({ summary: 'one\r\ntwo\u0000\u001b three\n' }).summary).toBe('one\ntwo three');
    });

    it('treats a blank summary or author as absent', () => {
      expect(articleFor({ summary: '  ', author: '\n' })).toMatchObject({ summary: undefined, author: undefined });
    });

    it('accepts the longest values the contract allows', () => {
      const article = articleFor({
        id: 'i'.repeat(200),
        title: 't'.repeat(500),
        summary: 's'.repeat(2000),
        tags: Array.from({ length: 20 }, (_, i) => `tag${i}`),
      });
      expect(article.tags).toHaveLength(20);
    });

    it('returns URLs in their canonical form, safe in an href', () => {
      expect(articleFor({ url: 'HTTPS://Example.com/a"b<c>' }).url).toBe('https://example.com/a%22b%3Cc%3E');
    });

    it('accepts a UTF-8 byte order mark', () => {
      const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), encode(theContractExample())]);
      expect(sut(bytes).ok).toBe(true);
    });
  });

  describe('a message that is not an article', () => {
    it.each([
      ['null value (tombstone)', null, 'value: missing (null message value)'],
      ['empty value', Buffer.alloc(0), 'value: not valid JSON'],
      ['invalid JSON', Buffer.from('{"id": '), 'value: not valid JSON'],
      ['non-UTF-8 bytes', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'value: not valid UTF-8'],
      ['a JSON array', encode([theContractExample()]), 'value: must be a JSON object'],
      ['a JSON string', encode('hello'), 'value: must be a JSON object'],
      ['JSON null', Buffer.from('null'), 'value: must be a JSON object'],
      ['a number', Buffer.from('42'), 'value: must be a JSON object'],
    ])('rejects %s', (_, value, reason) => {
      expect(sut(value)).toEqual({ ok: false, reason });
    });

    it(`rejects more than ${MAX_EVENT_BYTES} bytes before parsing`, () => {
      const padded = Buffer.alloc(MAX_EVENT_BYTES + 1, 0x20);
      expect(sut(padded)).toEqual({ ok: false, reason: `value: larger than ${MAX_EVENT_BYTES} bytes` });
    });

    it(`accepts exactly ${MAX_EVENT_BYTES} bytes`, () => {
      const json = encode(theContractExample());
      const padded = Buffer.concat([json, Buffer.alloc(MAX_EVENT_BYTES - json.length, 0x20)]);
      expect(sut(padded).ok).toBe(true);
    });
  });

  describe('an event that breaks the rules', () => {
    it.each<[string, Record<string, unknown>, string]>([
      ['missing id', { id: undefined }, 'id: is required'],
      ['empty id', { id: '' }, 'id: must not be empty'],
      ['blank id', { id: '   ' }, 'id: must not be blank'],
      ['long id', { id: 'i'.repeat(201) }, 'id: must be at most 200 characters'],
      ['id with a newline', { id: 'a\nb' }, 'id: must not contain control characters'],
      ['id with an unpaired surrogate', { id: 'a\ud800b' }, 'id: must be valid Unicode text (no unpaired surrogate)'],
      ['title with an unpaired surrogate', { title: 'a\udfffb' }, 'title: must be valid Unicode text (no unpaired surrogate)'],
      ['summary with an unpaired surrogate', { summary: '\ud800' }, 'summary: must be valid Unicode text (no unpaired surrogate)'],
      ['author with an unpaired surrogate', { author: 'x\udbff' }, 'author: must be valid Unicode text (no unpaired surrogate)'],
      ['numeric id', { id: 42 }, 'id: must be a string of 1 to 200 characters'],
      ['missing title', { title: undefined }, 'title: is required'],
      ['blank title', { title: ' \r\n ' }, 'title: must not be blank'],
      ['long title', { title: 't'.repeat(501) }, 'title: must be at most 500 characters'],
      ['missing url', { url: undefined }, 'url: is required'],
      ['relative url', { url: '/news/1' }, 'url: must be an absolute http(s) URL'],
      ['javascript: url', { url: 'javascript:alert(1)' }, 'url: must be an absolute http(s) URL'],
      ['ftp url', { url: 'ftp://example.com/a' }, 'url: must be an absolute http(s) URL'],
      ['url without host', { url: 'http:///path' }, 'url: must be an absolute http(s) URL'],
      ['url with a backslash authority', { url: 'https://\\evil.test/' }, 'url: must be an absolute http(s) URL'],
      ['url with a newline', { url: 'https://exa\nmple.com/' }, 'url: must be an absolute http(s) URL'],
      ['url with a space', { url: 'https://example.com/a b' }, 'url: must be an absolute http(s) URL'],
      ['url with credentials', { url: 'https://example.com@evil.test/' }, 'url: must not contain a user name or password'],
      ['huge url', { url: `https://example.com/${'a'.repeat(5000)}` }, 'url: must be at most 4096 characters'],
      ['javascript: image', { imageUrl: 'javascript:alert(1)' }, 'imageUrl: must be an absolute http(s) URL'],
      ['long summary', { summary: 's'.repeat(2001) }, 'summary: must be at most 2000 characters'],
      ['numeric summary', { summary: 1 }, 'summary: must be a string of at most 2000 characters'],
      ['long author', { author: 'a'.repeat(201) }, 'author: must be at most 200 characters'],
      ['missing tags', { tags: undefined }, 'tags: is required'],
      ['no tags', { tags: [] }, 'tags: at least 1 tag'],
      ['21 tags', { tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, 'tags: at most 20 tags'],
      ['21 tags that repeat', { tags: Array.from({ length: 21 }, () => 'news') }, 'tags: at most 20 tags'],
      ['a tag with a space', { tags: ['ai news'] }, 'tags[0]: must be 1 to 50 letters, digits or "-" (an optional leading "#" is dropped)'],
      ['tags as a string', { tags: 'news' }, 'tags: must be a list of tags'],
      ['missing publishedAt', { publishedAt: undefined }, 'publishedAt: is required'],
      ['publishedAt without offset', { publishedAt: '2026-11-23T09:00:00' }, 'publishedAt: must be an ISO-8601 date-time with Z or an offset, e.g. 2026-11-23T09:00:00Z'],
      ['date-only publishedAt', { publishedAt: '2026-11-23' }, 'publishedAt: must be an ISO-8601 date-time with Z or an offset, e.g. 2026-11-23T09:00:00Z'],
      ['impossible date', { publishedAt: '2026-02-30T09:00:00Z' }, 'publishedAt: must be an ISO-8601 date-time with Z or an offset, e.g. 2026-11-23T09:00:00Z'],
      ['epoch millis', { publishedAt: 1795424400000 }, 'publishedAt: must be an ISO-8601 date-time'],
      ['string breaking', { breaking: 'true' }, 'breaking: must be true or false'],
      ['unknown field', { priority: 'high' }, 'priority: is not an allowed field'],
      ['misspelt field', { published_at: '2026-11-23T09:00:00Z' }, 'published_at: is not an allowed field'],
    ])('rejects %s', (_, overrides, reason) => {
      expect(reasonFor(overrides)).toBe(reason);
    });

    it('lists up to three problems', () => {
      expect(reasonFor({ id: undefined, title: undefined, url: undefined, tags: undefined })).toBe(
        'id: is required; title: is required; url: is required (and 1 more)',
      );
    });

    it('keeps the reason short however long the offending key', () => {
      expect(reasonFor({ ['k'.repeat(10_000)]: 1 }).length).toBeLessThan(100);
    });

    it('keeps control characters out of the reason', () => {
      expect(reasonFor({ ['x\r\ndispatch-error: ok']: 1 })).not.toMatch(/[\r\n]/);
    });
  });

  describe('whatever it is given', () => {
    // Hundreds of generated cases each, on a shared machine: allow more than Jest's 5 s default.
    jest.setTimeout(60_000);

    const isResult = (result: unknown) => {
      const r = result as { ok: unknown; article?: unknown; reason?: unknown };
      return (
        (r.ok === true && typeof r.article === 'object' && Object.keys(r).length === 2) ||
        (r.ok === false && typeof r.reason === 'string' && r.reason.length > 0 && r.reason.length <= 500)
      );
    };

    it('never throws on random bytes', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => isResult(sut(Buffer.from(bytes)))),
        { numRuns: 500 },
      );
    });

    it('never throws on random JSON, including unicode', () => {
      fc.assert(
        fc.property(fc.jsonValue(), (value) => isResult(sut(Buffer.from(JSON.stringify(value) ?? 'null')))),
        { numRuns: 500 },
      );
    });

    it('never throws on objects with the right keys and random values', () => {
      const anything = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.string({ unit: 'grapheme', maxLength: 300 }), fc.constant(undefined));
      fc.assert(
        fc.property(
          fc.record({
            id: anything,
            title: anything,
            url: anything,
            tags: fc.oneof(anything, fc.array(fc.string({ unit: 'binary' }), { maxLength: 25 })),
            publishedAt: fc.oneof(anything, fc.date({ noInvalidDate: true }).map((d) => d.toISOString())),
            summary: anything,
            breaking: anything,
          }),
          (candidate) => isResult(sut(encode(candidate))),
        ),
        { numRuns: 300 },
      );
    });

    it('accepts every well-formed event it is given', () => {
      const tag = fc.stringMatching(/^[a-z0-9-]{1,50}$/);
      fc.assert(
        fc.property(
          fc.record({
            id: fc.string({ minLength: 1, maxLength: 200 }).filter((s) => s.trim() !== '' && !/\p{Cc}/u.test(s)),
            title: fc.string({ minLength: 1, maxLength: 500 }).filter((s) => /\S/.test(s.replace(/\p{Cc}/gu, ' '))),
            url: fc.webUrl({ validSchemes: ['http', 'https'] }),
            tags: fc.array(tag, { minLength: 1, maxLength: 20 }),
            publishedAt: fc
              .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true })
              .map((d) => d.toISOString()),
          }),
          (event) => {
            const result = sut(encode(event));
            return result.ok && result.article.publishedAt.toISOString() === event.publishedAt;
          },
        ),
        { numRuns: 300 },
      );
    });

    it('survives deep nesting', () => {
      const deep = '['.repeat(30_000) + ']'.repeat(30_000);
      expect(sut(Buffer.from(deep))).toEqual({ ok: false, reason: 'value: must be a JSON object' });
      const deepField = `{"id":${'['.repeat(30_000)}${']'.repeat(30_000)}}`;
      expect(isResult(sut(Buffer.from(deepField)))).toBe(true);
    });

    it('survives huge strings within the size limit', () => {
      expect(reasonFor({ title: 'x'.repeat(60_000) })).toBe('title: must be at most 500 characters');
    });
  });
});

describe(parseArticleEvent.name, () => {
  it('applies the same rules to an already parsed value, e.g. an HTTP body', () => {
    expect(parseArticleEvent({ ...theContractExample(), tags: [] })).toEqual({ ok: false, reason: 'tags: at least 1 tag' });
    expect(parseArticleEvent(theContractExample()).ok).toBe(true);
  });

  it('names the whole value when it is not an object', () => {
    expect(parseArticleEvent('nope')).toEqual({ ok: false, reason: 'value: must be a JSON object' });
  });
});

describe('articleEventSchema', () => {
  it('can be embedded in another schema, e.g. POST /alerts', () => {
    expect(articleEventSchema.safeParse(theContractExample()).success).toBe(true);
  });
});
