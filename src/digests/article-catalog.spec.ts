import { ArticleCatalog, CatalogArticle } from './article-catalog';

const T0 = Date.parse('2026-11-24T07:00:00Z');
const HOUR = 3_600_000;

function anArticle(id: string, tags: string[], hoursBefore: number, storedHoursBefore = hoursBefore): CatalogArticle {
  return { id, tags, publishedAt: new Date(T0 - hoursBefore * HOUR), createdAt: new Date(T0 - storedHoursBefore * HOUR) };
}

const window = (fromHoursBefore: number, toHoursBefore = 0) => ({
  from: new Date(T0 - fromHoursBefore * HOUR),
  to: new Date(T0 - toHoursBefore * HOUR),
});

describe(ArticleCatalog.name, () => {
  const articles = [
    anArticle('a', ['ainews', 'news'], 1),
    anArticle('b', ['news'], 5, 2),
    anArticle('c', ['maia200', 'ainews'], 30),
    anArticle('outside', ['ainews'], 200),
  ];
  const sut = new ArticleCatalog(window(48), articles);

  it('keeps only the articles of its span', () => {
    expect(sut.size).toBe(3);
    expect(sut.index.articles.map((a) => a.id)).not.toContain('outside');
  });

  it('knows which windows it covers', () => {
    expect(sut.covers(window(24))).toBe(true);
    expect(sut.covers(window(48))).toBe(true);
    expect(sut.covers(window(49))).toBe(false);
    expect(sut.covers(window(24, -1))).toBe(false);
  });

  it('finds the articles carrying any of some tags in a window, each once, newest first', () => {
    expect(sut.withAnyTag(['news', 'ainews'], window(48)).map((a) => a.id)).toEqual(['a', 'b', 'c']);
    expect(sut.withAnyTag(['ainews'], window(24)).map((a) => a.id)).toEqual(['a']);
    expect(sut.withAnyTag(['ainews', 'news'], window(24, 2)).map((a) => a.id)).toEqual(['b']);
    expect(sut.withAnyTag(['unknown'], window(48))).toEqual([]);
  });

  it('counts the articles per tag in a window', () => {
    const counts = sut.tagCountsIn(window(24));

    expect(counts.articles).toBe(2);
    expect(Object.fromEntries(counts.frequency)).toEqual({ ainews: 1, news: 2 });
    expect(sut.tagCountsIn(window(24))).toBe(counts);
  });

  it('remembers when its oldest article was stored, to bound the no-repeat lookup', () => {
    expect(sut.storedSince).toEqual(new Date(T0 - 30 * HOUR));
    expect(new ArticleCatalog(window(48), []).storedSince).toBeNull();
  });
});
