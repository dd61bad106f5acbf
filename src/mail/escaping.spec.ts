import { escapeHtml, oneLine, toHttpUrl } from './escaping';

describe(escapeHtml.name, () => {
  it('escapes the five characters that matter in content and quoted attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('returns plain text unchanged', () => {
    expect(escapeHtml('Maia 200 ships')).toBe('Maia 200 ships');
  });
});

describe(toHttpUrl.name, () => {
  it.each([
    ['https://example.com/a b"c', 'https://example.com/a%20b%22c'],
    ['HTTP://Example.com', 'http://example.com/'],
  ])('normalises %j', (input, expected) => {
    expect(toHttpUrl(input)).toBe(expected);
  });

  it.each(['javascript:alert(1)', 'java\nscript:alert(1)', 'data:text/html,x', 'mailto:a@b.c', '/relative', '//host/x', '', undefined])(
    'refuses %j',
    (input) => {
      expect(toHttpUrl(input)).toBeUndefined();
    },
  );
});

describe(oneLine.name, () => {
  it.each([
    ['a\r\nb', 'a b'],
    ['a\u0000\t\u000b b', 'a b'],
    ['a\u2028b\u0085c', 'a b c'],
    ['  padded  ', 'padded'],
    ['keeps  double spaces', 'keeps  double spaces'],
  ])('%j → %j', (input, expected) => {
    expect(oneLine(input)).toBe(expected);
  });
});
