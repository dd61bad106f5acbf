import fc from 'fast-check';
import { CandidateArticle } from './matching';
import { DEFAULT_RELATED_LIMIT, RelatedInput, selectRelatedStories } from './related';

const AT = new Date('2026-11-24T07:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const hoursBefore = (hours: number) => new Date(AT.getTime() - hours * HOUR);

function anArticle(overrides: Partial<CandidateArticle> = {}): CandidateArticle {
  return { id: 'a', tags: ['news'], publishedAt: hoursBefore(1), ...overrides };
}

function anInput(overrides: Partial<RelatedInput<CandidateArticle>> = {}): RelatedInput<CandidateArticle> {
  return {
    digestArticles: [anArticle({ id: 'digest-1', tags: ['news', 'maia200'] })],
    pool: [],
    exclude: new Set(),
    at: AT,
    ...overrides,
  };
}

/** Ten ordinary news stories, newest first. */
const newsStories = Array.from({ length: 10 }, (_, i) => anArticle({ id: `news-${i}`, tags: ['news'], publishedAt: hoursBefore(i + 1) }));

const ids = (articles: CandidateArticle[]) => articles.map((article) => article.id);

describe(selectRelatedStories.name, () => {
  const sut = selectRelatedStories;

  it('lets a shared rare tag outweigh a shared common one', () => {
    const rare = anArticle({ id: 'maia-story', tags: ['maia200'], publishedAt: hoursBefore(30) });
    const result = sut(anInput({ pool: [...newsStories, rare] }));
    expect(ids(result)[0]).toBe('maia-story');
  });

  it('ranks two shared tags above one', () => {
    const both = anArticle({ id: 'both', tags: ['news', 'maia200'], publishedAt: hoursBefore(20) });
    const rareOnly = anArticle({ id: 'rare-only', tags: ['maia200'], publishedAt: hoursBefore(20) });
    expect(ids(sut(anInput({ pool: [...newsStories, rareOnly, both] }))).slice(0, 2)).toEqual(['both', 'rare-only']);
  });

  it('prefers the fresher of two stories sharing the same tags', () => {
    const pool = [anArticle({ id: 'old', publishedAt: hoursBefore(100) }), anArticle({ id: 'fresh', publishedAt: hoursBefore(2) })];
    expect(ids(sut(anInput({ pool })))).toEqual(['fresh', 'old']);
  });

  it('halves a story’s weight every three days', () => {
    // The rare story 3 days old scores idf(maia200)/2; the common one is fresh: idf(news).
    const pool = [
      anArticle({ id: 'rare-3-days', tags: ['maia200'], publishedAt: hoursBefore(72) }),
      anArticle({ id: 'common-fresh', tags: ['news'], publishedAt: AT }),
      anArticle({ id: 'x1', tags: ['news'], publishedAt: hoursBefore(150) }),
      anArticle({ id: 'x2', tags: ['news'], publishedAt: hoursBefore(150) }),
    ];
    // N = 4: idf(maia200) = ln(5/2) + 1 ≈ 1.92 → 0.96 at 3 days; idf(news) = ln(5/4) + 1 ≈ 1.22.
    expect(ids(sut(anInput({ pool, limit: 2 })))).toEqual(['common-fresh', 'rare-3-days']);
  });

  it('breaks exact ties by recency, then id', () => {
    const pool = [
      anArticle({ id: 'c', publishedAt: hoursBefore(5) }),
      anArticle({ id: 'b', publishedAt: hoursBefore(5) }),
      anArticle({ id: 'a', publishedAt: hoursBefore(9) }),
    ];
    expect(ids(sut(anInput({ pool })))).toEqual(['b', 'c', 'a']);
  });

  it('never includes excluded ids or the digest’s own articles', () => {
    const pool = [anArticle({ id: 'digest-1' }), anArticle({ id: 'already-sent' }), anArticle({ id: 'fine' })];
    expect(ids(sut(anInput({ pool, exclude: new Set(['already-sent']) })))).toEqual(['fine']);
  });

  it('never includes an article published after the instant; one published at it is fine', () => {
    const pool = [anArticle({ id: 'future', publishedAt: new Date(AT.getTime() + 1) }), anArticle({ id: 'now', publishedAt: AT })];
    expect(ids(sut(anInput({ pool })))).toEqual(['now']);
  });

  it('looks back 7 days by default, or as far as asked', () => {
    const pool = [anArticle({ id: 'six-days', publishedAt: hoursBefore(6 * 24) }), anArticle({ id: 'eight-days', publishedAt: hoursBefore(8 * 24) })];
    expect(ids(sut(anInput({ pool })))).toEqual(['six-days']);
    expect(ids(sut(anInput({ pool, lookbackMs: 10 * DAY })))).toEqual(['six-days', 'eight-days']);
  });

  it('ignores articles sharing no tag', () => {
    expect(sut(anInput({ pool: [anArticle({ tags: ['sports'] })] }))).toEqual([]);
  });

  it(`returns at most ${DEFAULT_RELATED_LIMIT} by default, or the limit asked`, () => {
    expect(sut(anInput({ pool: newsStories }))).toHaveLength(DEFAULT_RELATED_LIMIT);
    expect(sut(anInput({ pool: newsStories, limit: 2 }))).toHaveLength(2);
    expect(sut(anInput({ pool: newsStories, limit: 0 }))).toEqual([]);
  });

  it('refuses a nonsense limit', () => {
    expect(() => sut(anInput({ limit: -1 }))).toThrow(RangeError);
  });

  it('returns nothing for an email without articles', () => {
    expect(sut(anInput({ digestArticles: [], pool: newsStories }))).toEqual([]);
  });

  it('uses tag frequencies from a wider corpus when given', () => {
    // In the pool both tags look equally common; the corpus says "news" is everywhere.
    const pool = [anArticle({ id: 'news-story', tags: ['news'], publishedAt: hoursBefore(1) }), anArticle({ id: 'maia-story', tags: ['maia200'], publishedAt: hoursBefore(2) })];
    expect(ids(sut(anInput({ pool })))).toEqual(['news-story', 'maia-story']);
    const tagFrequency = new Map([['news', 900], ['maia200', 3]]);
    expect(ids(sut(anInput({ pool, tagFrequency, articleCount: 1000 })))).toEqual(['maia-story', 'news-story']);
  });

  it('copes with frequencies larger than the stated corpus', () => {
    const tagFrequency = new Map([['news', 50]]);
    expect(ids(sut(anInput({ pool: newsStories.slice(0, 1), tagFrequency, articleCount: 1 })))).toEqual(['news-0']);
  });

  it('counts an article listed twice in the pool once', () => {
    const pool = [anArticle({ id: 'dup' }), anArticle({ id: 'dup' })];
    expect(ids(sut(anInput({ pool })))).toEqual(['dup']);
  });

  it('is deterministic, whatever the order of the pool', () => {
    const article = fc.record({
      id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'),
      tags: fc.array(fc.constantFrom('news', 'ainews', 'maia200', 'sports'), { maxLength: 3 }),
      publishedAt: fc.integer({ min: -200, max: 5 }).map((hours) => hoursBefore(hours)),
    });
    fc.assert(
      fc.property(fc.uniqueArray(article, { selector: (a) => a.id, maxLength: 8 }), fc.subarray(['a', 'b', 'c']), (pool, excluded) => {
        const input = anInput({ pool, exclude: new Set(excluded) });
        const forward = sut(input);
        const backward = sut({ ...input, pool: [...pool].reverse() });
        expect(ids(backward)).toEqual(ids(forward));
        for (const related of forward) {
          expect(excluded).not.toContain(related.id);
          expect(related.publishedAt.getTime()).toBeLessThanOrEqual(AT.getTime());
        }
        expect(forward.length).toBeLessThanOrEqual(DEFAULT_RELATED_LIMIT);
      }),
      { numRuns: 500 },
    );
  });
});
