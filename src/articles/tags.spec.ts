import { isValidTag, normalizeTag, normalizeTags, TAG_PATTERN, tagListSchema, tagSchema } from './tags';
import { formatZodError } from '../common/validation';

describe(normalizeTag.name, () => {
  it.each([
    ['#AINews', 'ainews'],
    ['  ainews\t', 'ainews'],
    [' #Maia200 ', 'maia200'],
    ['##double', '#double'],
    ['Élysée', 'élysée'],
    ['e\u0301te\u0301', '\u00e9t\u00e9'],
    ['', ''],
  ])('normalises %j to %j', (raw, normalised) => {
    expect(normalizeTag(raw)).toBe(normalised);
  });

  it('makes #AINews and ainews one tag', () => {
    expect(normalizeTag('#AINews')).toBe(normalizeTag('ainews'));
  });
});

describe('TAG_PATTERN', () => {
  it.each(['ainews', 'synthetic-data', 'maia200', '2026', '-', 'élysée', 'новости', 'हिंदी', '東京', 'a'.repeat(50)])(
    'accepts %j',
    (tag) => expect(TAG_PATTERN.test(tag)).toBe(true),
  );

  it.each([
    '',
    'a'.repeat(51),
    'ai news',
    'ai_news',
    'ai.news',
    '#ainews',
    'ai\r\nBcc: x@y.z',
    'ai\u0000news',
    'ai\u200dnews',
    'ai\u202enews',
    '=?utf-8?b?QQ==?=',
    '<script>',
    'a,b',
  ])('refuses %j', (tag) => expect(TAG_PATTERN.test(tag)).toBe(false));
});

describe(isValidTag.name, () => {
  it('checks normalised tags only', () => {
    expect(isValidTag('ainews')).toBe(true);
    expect(isValidTag('#ainews')).toBe(false);
  });
});

describe(normalizeTags.name, () => {
  it('drops repeats after normalising, keeping first-seen order', () => {
    expect(normalizeTags(['News', '#AINews', 'news', 'ainews', 'synthetic-data', '#news'])).toEqual([
      'news',
      'ainews',
      'synthetic-data',
    ]);
  });

  it('returns an empty list for an empty list', () => {
    expect(normalizeTags([])).toEqual([]);
  });
});

describe('tagSchema', () => {
  const sut = tagSchema;

  it('outputs the normalised tag', () => {
    expect(sut.parse(' #AINews ')).toBe('ainews');
  });

  it.each(['#', '   ', 'ai news', 'x'.repeat(51), '#' + 'x'.repeat(51)])('refuses %j naming the rule', (raw) => {
    const result = sut.safeParse(raw);
    expect(result.success).toBe(false);
    expect(formatZodError(result.error!, { root: 'tag' })).toBe(
      'tag: must be 1 to 50 letters, digits or "-" (an optional leading "#" is dropped)',
    );
  });

  it('accepts exactly 50 characters once the "#" is dropped', () => {
    expect(sut.parse('#' + 'x'.repeat(50))).toBe('x'.repeat(50));
  });

  it('refuses a non-string', () => {
    const result = sut.safeParse(42);
    expect(formatZodError(result.error!, { root: 'tag' })).toBe('tag: must be a string');
  });
});

describe(tagListSchema.name, () => {
  const sut = tagListSchema({ min: 1, max: 3 });

  it('normalises and de-duplicates', () => {
    expect(sut.parse(['#News', 'news', 'AI'])).toEqual(['news', 'ai']);
  });

  it('counts the list as sent, before removing repeats', () => {
    const result = sut.safeParse(['a', 'a', 'a', 'a']);
    expect(formatZodError(result.error!, { root: 'tags' })).toBe('tags: at most 3 tags');
  });

  it('refuses an empty list', () => {
    const result = sut.safeParse([]);
    expect(formatZodError(result.error!, { root: 'tags' })).toBe('tags: at least 1 tag');
  });

  it('names the offending item', () => {
    const result = tagListSchema({ min: 1, max: 3 }).safeParse(['ok', 'not ok']);
    expect(formatZodError(result.error!, { root: 'tags' })).toMatch(/^\[1\]: must be 1 to 50/);
  });

  it('refuses something that is not a list', () => {
    const result = sut.safeParse('news');
    expect(formatZodError(result.error!, { root: 'tags' })).toBe('tags: must be a list of tags');
  });
});
