import fc from 'fast-check';
import {
  buildTagIndex,
  CandidateArticle,
  compareIds,
  DEFAULT_DIGEST_LIMIT,
  selectDigestArticles,
  selectDigestArticlesIndexed,
  SelectionInput,
} from './matching';

interface TestArticle extends CandidateArticle {
  title: string;
}

const SLOT = new Date('2026-11-24T07:00:00Z');
const HOUR = 3_600_000;
const WINDOW = { from: new Date(SLOT.getTime() - 24 * HOUR), to: SLOT };
const hoursBefore = (hours: number) => new Date(SLOT.getTime() - hours * HOUR);

function anArticle(overrides: Partial<TestArticle> = {}): TestArticle {
  return { id: 'a1', title: 'A title', tags: ['ainews'], publishedAt: hoursBefore(1), ...overrides };
}

function anInput(overrides: Partial<SelectionInput<TestArticle>> = {}): SelectionInput<TestArticle> {
  return { subscriberTags: ['ainews'], candidates: [], alreadySent: new Set(), window: WINDOW, ...overrides };
}

const ids = (result: { articles: CandidateArticle[] }) => result.articles.map((article) => article.id);

/** Every behaviour is specified once and checked on both implementations. */
const implementations = [
  ['selectDigestArticles', (input: SelectionInput<TestArticle>) => selectDigestArticles(input)],
  [
    'selectDigestArticlesIndexed',
    ({ candidates, ...query }: SelectionInput<TestArticle>) => selectDigestArticlesIndexed(buildTagIndex(candidates), query),
  ],
] as const;

describe.each(implementations)('%s', (_, sut) => {
  it('picks articles sharing at least one tag with the subscriber', () => {
    const candidates = [
      anArticle({ id: 'match', tags: ['ainews', 'news'] }),
      anArticle({ id: 'other', tags: ['sports'] }),
    ];
    expect(ids(sut(anInput({ subscriberTags: ['ainews'], candidates })))).toEqual(['match']);
  });

  it('keeps only articles published in the window, from exclusive, to inclusive', () => {
    const candidates = [
      anArticle({ id: 'at-slot', publishedAt: SLOT }),
      anArticle({ id: 'after-slot', publishedAt: new Date(SLOT.getTime() + 1) }),
      anArticle({ id: 'at-from', publishedAt: WINDOW.from }),
      anArticle({ id: 'just-after-from', publishedAt: new Date(WINDOW.from.getTime() + 1) }),
      anArticle({ id: 'two-days-old', publishedAt: hoursBefore(48) }),
    ];
    expect(ids(sut(anInput({ candidates })))).toEqual(['at-slot', 'just-after-from']);
  });

  it('never includes an article already sent to the subscriber', () => {
    const candidates = [anArticle({ id: 'sent' }), anArticle({ id: 'new', publishedAt: hoursBefore(2) })];
    expect(ids(sut(anInput({ candidates, alreadySent: new Set(['sent']) })))).toEqual(['new']);
  });

  it('ranks by shared tags, then newest, then id', () => {
    const candidates = [
      anArticle({ id: 'one-tag-newest', tags: ['ainews'], publishedAt: hoursBefore(1) }),
      anArticle({ id: 'two-tags-old', tags: ['ainews', 'maia200'], publishedAt: hoursBefore(20) }),
      anArticle({ id: 'b-one-tag', tags: ['maia200'], publishedAt: hoursBefore(5) }),
      anArticle({ id: 'a-one-tag', tags: ['ainews'], publishedAt: hoursBefore(5) }),
      anArticle({ id: 'three-tags', tags: ['ainews', 'maia200', 'news'], publishedAt: hoursBefore(23) }),
    ];
    const result = sut(anInput({ subscriberTags: ['ainews', 'maia200', 'news'], candidates }));
    expect(ids(result)).toEqual(['three-tags', 'two-tags-old', 'one-tag-newest', 'a-one-tag', 'b-one-tag']);
  });

  it(`returns at most ${DEFAULT_DIGEST_LIMIT} by default and counts the rest`, () => {
    const candidates = Array.from({ length: 13 }, (_, i) => anArticle({ id: `a${String(i).padStart(2, '0')}`, publishedAt: hoursBefore(i + 1) }));
    const result = sut(anInput({ candidates }));
    expect(result.articles).toHaveLength(DEFAULT_DIGEST_LIMIT);
    expect(result.more).toBe(3);
    expect(ids(result)[0]).toBe('a00');
  });

  it('honours a custom limit, including 0', () => {
    const candidates = [anArticle({ id: 'x' }), anArticle({ id: 'y' })];
    expect(sut(anInput({ candidates, limit: 1 }))).toMatchObject({ more: 1 });
    expect(sut(anInput({ candidates, limit: 0 }))).toEqual({ articles: [], more: 2 });
  });

  it('refuses a nonsense limit', () => {
    expect(() => sut(anInput({ limit: -1 }))).toThrow(RangeError);
    expect(() => sut(anInput({ limit: 2.5 }))).toThrow(RangeError);
  });

  it('returns nothing when nothing matches: no email', () => {
    expect(sut(anInput({ candidates: [anArticle({ tags: ['sports'] })] }))).toEqual({ articles: [], more: 0 });
    expect(sut(anInput({ subscriberTags: [], candidates: [anArticle()] }))).toEqual({ articles: [], more: 0 });
  });

  it('counts a tag repeated on either side once', () => {
    const candidates = [
      anArticle({ id: 'repeats', tags: ['ainews', 'ainews', 'ainews'], publishedAt: hoursBefore(1) }),
      anArticle({ id: 'two-distinct', tags: ['ainews', 'news'], publishedAt: hoursBefore(2) }),
    ];
    expect(ids(sut(anInput({ subscriberTags: ['ainews', 'ainews', 'news'], candidates })))).toEqual(['two-distinct', 'repeats']);
  });

  it('takes the first of two candidates with the same id', () => {
    const candidates = [anArticle({ id: 'dup', title: 'first' }), anArticle({ id: 'dup', title: 'second' })];
    expect(sut(anInput({ candidates })).articles).toEqual([expect.objectContaining({ title: 'first' })]);
  });

  it('returns the caller’s own objects, extra fields and all', () => {
    const article = anArticle({ title: 'Kept' });
    expect(sut(anInput({ candidates: [article] })).articles[0]).toBe(article);
  });

  it('ignores an article with an invalid date', () => {
    expect(sut(anInput({ candidates: [anArticle({ publishedAt: new Date(Number.NaN) })] }))).toEqual({ articles: [], more: 0 });
  });
});

describe(selectDigestArticlesIndexed.name, () => {
  it('can serve many subscribers from one index', () => {
    const index = buildTagIndex([
      anArticle({ id: 'ai', tags: ['ainews'] }),
      anArticle({ id: 'sport', tags: ['sports'] }),
    ]);
    const query = { alreadySent: new Set<string>(), window: WINDOW };
    expect(ids(selectDigestArticlesIndexed(index, { ...query, subscriberTags: ['ainews'] }))).toEqual(['ai']);
    expect(ids(selectDigestArticlesIndexed(index, { ...query, subscriberTags: ['sports'] }))).toEqual(['sport']);
    expect(ids(selectDigestArticlesIndexed(index, { ...query, subscriberTags: ['sports', 'ainews'] }))).toEqual(['ai', 'sport']);
    expect(ids(selectDigestArticlesIndexed(index, { ...query, subscriberTags: ['ainews'], alreadySent: new Set(['ai']) }))).toEqual([]);
    expect(ids(selectDigestArticlesIndexed(index, { ...query, subscriberTags: ['ainews'] }))).toEqual(['ai']);
  });

  it('gives the same answer as selectDigestArticles for any input', () => {
    const tag = fc.constantFrom('ainews', 'news', 'maia200', 'sports', 'syntheticdata', 'élysée');
    const instant = fc.integer({ min: -40, max: 5 }).map((hours) => hoursBefore(-hours));
    const article = fc.record({
      id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'),
      title: fc.string(),
      tags: fc.array(tag, { maxLength: 4 }),
      publishedAt: instant,
    });
    fc.assert(
      fc.property(
        fc.array(article, { maxLength: 30 }),
        fc.array(tag, { maxLength: 4 }),
        fc.subarray(['a', 'b', 'c', 'd', 'e', 'f']),
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: -30, max: 0 }),
        (candidates, subscriberTags, sent, limit, fromHours) => {
          const query = {
            subscriberTags,
            alreadySent: new Set(sent),
            window: { from: hoursBefore(-fromHours + 24), to: hoursBefore(-fromHours) },
            limit,
          };
          const plain = selectDigestArticles({ ...query, candidates });
          const indexed = selectDigestArticlesIndexed(buildTagIndex(candidates), query);
          expect(indexed).toEqual(plain);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('gives the same answer as selectDigestArticles over many articles, windows and subscribers in a row', () => {
    // Over 32 articles and windows of any size, so the bitsets span several words and windows start and end inside them.
    const tag = fc.constantFrom('ainews', 'news', 'maia200', 'sports', 'syntheticdata', 'élysée', 'cloud', 'chips');
    const article = fc.record({
      id: fc.integer({ min: 0, max: 150 }).map((n) => `article-${n}`),
      title: fc.constant('A title'),
      tags: fc.array(tag, { maxLength: 5 }),
      // Some share an instant, so ids break the ties; a few have no valid date.
      publishedAt: fc.oneof(
        { weight: 20, arbitrary: fc.integer({ min: -10, max: 200 }).map((hours) => hoursBefore(hours / 2)) },
        { weight: 1, arbitrary: fc.constant(new Date(Number.NaN)) },
      ),
    });
    const subscriber = fc.record({
      subscriberTags: fc.array(tag, { maxLength: 6 }),
      sent: fc.array(fc.integer({ min: 0, max: 150 }).map((n) => `article-${n}`), { maxLength: 20 }),
      limit: fc.integer({ min: 0, max: 40 }),
      fromHours: fc.integer({ min: -5, max: 110 }),
      spanHours: fc.integer({ min: 0, max: 120 }),
    });
    fc.assert(
      fc.property(fc.array(article, { minLength: 33, maxLength: 150 }), fc.array(subscriber, { minLength: 1, maxLength: 5 }), (candidates, subscribers) => {
        const index = buildTagIndex(candidates);
        for (const { subscriberTags, sent, limit, fromHours, spanHours } of subscribers) {
          const query = {
            subscriberTags,
            alreadySent: new Set(sent),
            window: { from: hoursBefore(fromHours + spanHours), to: hoursBefore(fromHours) },
            limit,
          };
          expect(selectDigestArticlesIndexed(index, query)).toEqual(selectDigestArticles({ ...query, candidates }));
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe(compareIds.name, () => {
  it('orders by code unit, independent of locale', () => {
    expect(['b', 'B', 'a', 'é', 'A'].sort(compareIds)).toEqual(['A', 'B', 'a', 'b', 'é']);
  });
});
