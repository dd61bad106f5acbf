import { html, Html } from './html';

describe(html.name, () => {
  it('escapes interpolated text for element content and quoted attributes', () => {
    const hostile = `"><script>alert('x')</script>&`;
    const sut = html`<input value="${hostile}"><p>${hostile}</p>`;
    expect(sut.value).toBe(
      '<input value="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;"><p>&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</p>',
    );
  });

  it('keeps nested Html as it is and joins lists', () => {
    const items = ['a<b', 'c'].map((item) => html`<li>${item}</li>`);
    expect(html`<ul>${items}</ul>`.value).toBe('<ul><li>a&lt;b</li><li>c</li></ul>');
  });

  it('renders nothing for null, undefined and false, and numbers as text', () => {
    expect(html`${null}${undefined}${false}${0}${7}`.value).toBe('07');
  });

  it('is a value that prints as its markup', () => {
    expect(String(new Html('<b>x</b>'))).toBe('<b>x</b>');
  });
});
