import { truncate, wrapText } from './email-content';
import { topTags } from './digest-email';

describe(wrapText.name, () => {
  it('breaks at spaces so no line passes the width, each line indented', () => {
    const text = 'Elon Musk confirms that AI training data is exhausted and suggests synthetic data as the future solution.';

    const wrapped = wrapText(text, '    ', 40);

    expect(wrapped.split('\n').every((line) => line.length <= 40 && line.startsWith('    '))).toBe(true);
    expect(wrapped.replace(/\n {4}/g, ' ').trim()).toBe(text);
  });

  it('keeps a word longer than the line whole', () => {
    expect(wrapText(`short ${'x'.repeat(50)} end`, '', 20)).toBe(`short\n${'x'.repeat(50)}\nend`);
  });
});

describe(truncate.name, () => {
  it('shortens with an ellipsis only when needed', () => {
    expect(truncate('short', 10)).toBe('short');
    expect(truncate('a long sentence here', 10)).toBe('a long se…');
  });
});

describe(topTags.name, () => {
  const article = (...tags: string[]) => ({ title: '', url: '', summary: '', author: '', imageUrl: '', tagLine: '', tags: tags.map((tag) => ({ tag })) });

  it('ranks by how many articles carry a tag, ties in order of first appearance', () => {
    const articles = [article('news', 'ainews'), article('microsoft', 'ainews'), article('microsoft', 'cloud'), article('news')];

    expect(topTags(articles, 3)).toEqual(['news', 'ainews', 'microsoft']);
  });
});
