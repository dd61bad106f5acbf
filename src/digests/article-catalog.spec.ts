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

  it('builds the related-stories index of a digest instant once', () => {
    const slot = new Date(T0);

    const index = sut.relatedIndexFor(slot);

    expect(sut.relatedIndexFor(new Date(T0))).toBe(index);
    expect(sut.relatedIndexFor(new Date(T0 - HOUR))).not.toBe(index);
    expect(index.at).toBe(T0);
  });

  it('remembers when its oldest article was stored, to bound the no-repeat lookup', () => {
    expect(sut.storedSince).toEqual(new Date(T0 - 30 * HOUR));
    expect(new ArticleCatalog(window(48), []).storedSince).toBeNull();
  });
});
