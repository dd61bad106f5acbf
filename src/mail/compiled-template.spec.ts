import { CompiledTemplate, TemplateDataError, TemplateSyntaxError } from './compiled-template';

describe(CompiledTemplate.name, () => {
  const parse = (html: string) => CompiledTemplate.parse(html, 'test');

  it('fills values HTML-escaped', () => {
    const sut = parse('<p title="{{title}}">{{title}}</p>');

    expect(sut.fill({ title: `<b>"Tom" & 'Jerry'</b>` })).toBe(
      '<p title="&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;">&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;</p>',
    );
  });

  it('writes ASCII with CRLF line ends, whatever the template and the values use, so the page goes out 7bit as filled', () => {
    const sut = parse('<p>\n{{title}}\r\n</p>\n<p>Brèves</p>');

    expect(sut.fill({ title: 'one\ntwo\rthree ça' })).toBe('<p>\r\none\r\ntwo\r\nthree &#231;a\r\n</p>\r\n<p>Br&#232;ves</p>');
  });

  it('prints placeholders inside values instead of interpreting them', () => {
    const sut = parse('<p>{{title}}</p><p>{{secret}}</p>');

    expect(sut.fill({ title: '{{secret}} {{#x}}', secret: 's' })).toBe('<p>{{secret}} {{#x}}</p><p>s</p>');
  });

  it('repeats a section per array item, with nested sections and outer names visible', () => {
    const sut = parse('<ul>{{#items}}<li>{{name}}:{{#tags}}[{{tag}}|{{site}}]{{/tags}}</li>{{/items}}</ul>');

    const html = sut.fill({
      site: 'D',
      items: [
        { name: 'a', tags: [{ tag: 'x' }, { tag: 'y' }] },
        { name: 'b', tags: [] },
      ],
    });

    expect(html).toBe('<ul><li>a:[x|D][y|D]</li><li>b:</li></ul>');
  });

  it.each([
    ['a non-empty string', 'yes', '<i>x</i>'],
    ['true', true, '<i>x</i>'],
    ['a non-zero number', 3, '<i>x</i>'],
    ['an empty string', '', ''],
    ['false', false, ''],
    ['zero', 0, ''],
    ['undefined', undefined, ''],
    ['an empty array', [], ''],
  ])('shows a section for %s accordingly', (_label, value, expected) => {
    const sut = parse('{{#flag}}<i>{{label}}</i>{{/flag}}');

    expect(sut.fill({ flag: value as never, label: 'x' })).toBe(expected);
  });

  it('accepts only http(s) URLs in href and src', () => {
    const sut = parse('<a href="{{url}}"><img src="{{img}}"></a>');

    expect(sut.fill({ url: 'https://example.com/?a=1&b="2"', img: 'http://example.com/i.png' })).toBe(
      '<a href="https://example.com/?a=1&amp;b=&quot;2&quot;"><img src="http://example.com/i.png"></a>',
    );
    for (const url of ['javascript:alert(1)', ' javascript:alert(1)', 'data:text/html,x', '/relative', '']) {
      expect(() => sut.fill({ url, img: 'http://example.com/i.png' })).toThrow(TemplateDataError);
    }
  });

  it('fails when a value is missing', () => {
    const sut = parse('<p>{{title}}</p>');

    expect(() => sut.fill({})).toThrow(new TemplateDataError('test: no value for {{title}}'));
  });

  it.each([
    ['an unclosed section', '{{#a}}x', /never closed/],
    ['a stray close', 'x{{/a}}', /closes nothing/],
    ['crossed sections', '{{#a}}{{#b}}{{/a}}{{/b}}', /closes \{\{#b\}\}/],
    ['a malformed placeholder', '<p>{{ 1bad }}</p>', /malformed/],
    ['a slot in a style attribute', '<p style="color:{{c}}">', /style attribute/],
    ['a slot in an event handler', '<p onclick="{{c}}">', /onclick attribute/],
    ['an unquoted attribute slot', '<p title={{c}}>', /quoted attribute/],
    ['a partial URL', '<a href="https://x/{{id}}">', /whole href/],
    ['a slot in <style>', '<style>a{color:{{c}}}</style>', /inside <style>/],
    ['a section inside a tag', '<p {{#a}}title="x"{{/a}}>', /inside a tag/],
  ])('rejects %s', (_label, html, message) => {
    expect(() => parse(html)).toThrow(TemplateSyntaxError);
    expect(() => parse(html)).toThrow(message);
  });
});
