import { escapeLikePattern, parseArticleSearch, SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT } from './article-search-query';

describe(escapeLikePattern.name, () => {
  it('makes the LIKE wildcards and the escape character literal', () => {
    expect(escapeLikePattern('100% of_it \\ here')).toBe('100\\% of\\_it \\\\ here');
  });

  it('leaves ordinary text alone', () => {
    expect(escapeLikePattern('Volcano erupts')).toBe('Volcano erupts');
  });
});

describe(parseArticleSearch.name, () => {
  const sut = parseArticleSearch;

  it('lists the newest articles when there is no text', () => {
    expect(sut({})).toEqual({ ok: true, data: { text: '', titlePattern: null, tag: null, limit: SEARCH_DEFAULT_LIMIT } });
    expect(sut({ q: '   ' })).toMatchObject({ ok: true, data: { titlePattern: null, tag: null } });
  });

  it('searches titles for the trimmed text, wildcards escaped', () => {
    expect(sut({ q: '  50%_off ' })).toMatchObject({ ok: true, data: { text: '50%_off', titlePattern: '%50\\%\\_off%' } });
  });

  it('also searches a tag when the text is one, normalised like article tags', () => {
    expect(sut({ q: '#AINews' })).toMatchObject({ ok: true, data: { tag: 'ainews', titlePattern: '%#AINews%' } });
  });

  it('searches no tag when the text cannot be a tag', () => {
    expect(sut({ q: 'two words' })).toMatchObject({ ok: true, data: { tag: null } });
    expect(sut({ q: '50%' })).toMatchObject({ ok: true, data: { tag: null } });
  });

  it('takes a limit from 1 to the maximum', () => {
    expect(sut({ limit: '1' })).toMatchObject({ ok: true, data: { limit: 1 } });
    expect(sut({ limit: String(SEARCH_MAX_LIMIT) })).toMatchObject({ ok: true, data: { limit: SEARCH_MAX_LIMIT } });
  });

  it('refuses a limit out of range or not a whole number, naming the field', () => {
    for (const limit of ['0', String(SEARCH_MAX_LIMIT + 1), '2.5', 'ten', '-1']) {
      const result = sut({ limit });
      expect(result).toEqual({ ok: false, message: expect.stringMatching(/^limit: must be an integer from 1 to 50$/) });
    }
  });

  it('refuses repeated parameters and overlong text', () => {
    expect(sut({ q: ['a', 'b'] })).toEqual({ ok: false, message: 'q: must be a single text value' });
    expect(sut({ q: 'x'.repeat(501) })).toEqual({ ok: false, message: 'q: must be at most 500 characters' });
  });

  it('refuses control characters, which no title holds and PostgreSQL cannot take (NUL)', () => {
    expect(sut({ q: 'a\u0000b' })).toEqual({ ok: false, message: 'q: must not contain control characters' });
  });
});
