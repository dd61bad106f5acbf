import fc from 'fast-check';
import { buildTagIndex, CandidateArticle } from './matching';
import { selectRelatedStories } from './related';
import { buildRelatedIndex, selectRelatedStoriesIndexed } from './related-index';

const AT = new Date('2026-11-24T07:00:00Z');
const HOUR = 3_600_000;
const hoursBefore = (hours: number) => new Date(AT.getTime() - hours * HOUR);

function anArticle(id: string, tags: string[], hours: number): CandidateArticle {
  return { id, tags, publishedAt: hoursBefore(hours) };
}

describe(selectRelatedStoriesIndexed.name, () => {
  it('ranks like selectRelatedStories: a shared rare tag first, fresher first, digest and excluded ids left out', () => {
    const digest = [anArticle('digest', ['news', 'maia200'], 1)];
    const pool = [
      ...digest,
      anArticle('rare', ['maia200'], 20),
      ...[1, 2, 3, 4].map((i) => anArticle(`news-${i}`, ['news'], i * 10)),
      anArticle('excluded', ['maia200'], 2),
      anArticle('unrelated', ['sports'], 1),
      anArticle('future', ['maia200'], -1),
    ];
    const sut = buildRelatedIndex(buildTagIndex(pool), AT);

    const related = selectRelatedStoriesIndexed(sut, { digestArticles: digest, exclude: new Set(['excluded']), limit: 3 });

    expect(related.map((a) => a.id)).toEqual(['rare', 'news-1', 'news-2']);
  });

  it('serves many digests from one index, leaving nothing behind between them', () => {
    const pool = [anArticle('a', ['x'], 1), anArticle('b', ['y'], 2), anArticle('c', ['x', 'y'], 3)];
    const sut = buildRelatedIndex(buildTagIndex(pool), AT);

    expect(selectRelatedStoriesIndexed(sut, { digestArticles: [pool[0]], exclude: new Set(), limit: 5 }).map((a) => a.id)).toEqual(['c']);
    expect(selectRelatedStoriesIndexed(sut, { digestArticles: [pool[1]], exclude: new Set(), limit: 5 }).map((a) => a.id)).toEqual(['c']);
    expect(selectRelatedStoriesIndexed(sut, { digestArticles: [pool[2]], exclude: new Set(), limit: 5 }).map((a) => a.id)).toEqual(['a', 'b']);
  });

  it('refuses a nonsense limit and returns nothing for no limit or no tags', () => {
    const sut = buildRelatedIndex(buildTagIndex([anArticle('a', ['x'], 1)]), AT);

    expect(() => selectRelatedStoriesIndexed(sut, { digestArticles: [], exclude: new Set(), limit: -1 })).toThrow(RangeError);
    expect(selectRelatedStoriesIndexed(sut, { digestArticles: [anArticle('d', ['x'], 1)], exclude: new Set(), limit: 0 })).toEqual([]);
    expect(selectRelatedStoriesIndexed(sut, { digestArticles: [], exclude: new Set(), limit: 5 })).toEqual([]);
  });

  it('gives the same answer as selectRelatedStories over the same articles, for any input', () => {
    const tag = fc.constantFrom('ainews', 'news', 'maia200', 'sports', 'chips', 'élysée');
    const article = fc.record({
      id: fc.constantFrom(...'abcdefghijklmnop'.split('')),
      tags: fc.array(tag, { maxLength: 4 }),
      // Whole and half hours make exact score ties common, so the tie-breaks are exercised.
      publishedAt: fc.integer({ min: -4, max: 400 }).map((half) => hoursBefore(half / 2)),
    });
    const frequencies = fc.option(fc.dictionary(tag, fc.integer({ min: 0, max: 50 })), { nil: undefined });
    fc.assert(
      fc.property(
        fc.array(article, { maxLength: 30 }),
        fc.array(article, { maxLength: 4 }),
        fc.subarray('abcdefgh'.split('')),
        fc.integer({ min: 0, max: 8 }),
        frequencies,
        fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
        (pool, digestArticles, excluded, limit, frequency, articleCount) => {
          const tagFrequency = frequency ? new Map(Object.entries(frequency)) : undefined;
          const exclude = new Set(excluded);
          const plain = selectRelatedStories({ digestArticles, pool, exclude, at: AT, limit, tagFrequency, articleCount });
          const index = buildRelatedIndex(buildTagIndex(pool), AT, { tagFrequency, articleCount });
          expect(selectRelatedStoriesIndexed(index, { digestArticles, exclude, limit })).toEqual(plain);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
