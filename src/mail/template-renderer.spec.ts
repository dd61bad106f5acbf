import { cp, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TemplateDataError } from './compiled-template';
import { TemplateCompileError } from './mjml-compiler';
import { TemplateRenderer } from './template-renderer';
import {
  HOSTILE_TEXTS,
  aConfirmation,
  aDigest,
  aManageEmail,
  anAlert,
  anArticle,
  footerLinks,
  someArticles,
} from './testing/mail-builders';

const TEMPLATES = join(__dirname, '..', '..', 'templates');
const SITE = 'https://dispatch.example.com/';

describe(TemplateRenderer.name, () => {
  let sut: TemplateRenderer;

  beforeAll(async () => {
    sut = await TemplateRenderer.compile(TEMPLATES, { siteUrl: SITE });
  });

  describe('digest', () => {
    it('names the count and the top tags in the subject', () => {
      const articles = [
        anArticle({ id: 'a', tags: ['ainews', 'microsoft'] }),
        anArticle({ id: 'b', tags: ['microsoft', 'cloud'] }),
        anArticle({ id: 'c', tags: ['microsoft', 'ainews', 'maia200'] }),
      ];

      const email = sut.render('digest', aDigest({ articles, more: 2 }));

      expect(email.subject).toBe('5 new stories on #microsoft, #ainews, #cloud');
    });

    it('says "story" for one', () => {
      expect(sut.render('digest', aDigest({ articles: [anArticle({ tags: ['ainews'] })] })).subject).toBe('1 new story on #ainews');
    });

    it('shows every article with its linked title, summary and tag chips', () => {
      const articles = someArticles(3);

      const { html } = sut.render('digest', aDigest({ articles }));

      for (const article of articles) {
        expect(html).toContain(`<a href="${article.url}"`);
        expect(html).toContain(`>${article.title}</a>`);
      }
      expect(html).toContain(articles[0].summary);
      expect(html).toContain('#maia200</span>');
    });

    it('shows at most 10 articles and counts the rest into "and N more"', () => {
      const articles = someArticles(12);

      const { html, text, subject } = sut.render('digest', aDigest({ articles, more: 3, moreUrl: 'https://news.example.com/tags' }));

      expect(html).toContain('story-10"');
      expect(html).not.toContain('story-11"');
      expect(html).toContain('<a href="https://news.example.com/tags"');
      expect(html).toContain('And 5 more stories on your tags');
      expect(text).toContain('And 5 more stories on your tags: https://news.example.com/tags');
      expect(subject).toMatch(/^15 new stories/);
    });

    it('leaves out the "more" link when there is nothing more', () => {
      const { html, text } = sut.render('digest', aDigest({ more: 0 }));

      expect(html).not.toContain('more stories on your tags');
      expect(text).not.toContain('more stories on your tags');
    });

    it('lists related stories under the articles, or no heading when there are none', () => {
      const related = [anArticle({ id: 'rel', title: 'A related one', url: 'https://news.example.com/rel' })];

      const withRelated = sut.render('digest', aDigest({ related }));
      const withoutRelated = sut.render('digest', aDigest({ related: [] }));

      expect(withRelated.html).toContain('Related stories');
      expect(withRelated.html.indexOf('A related one')).toBeGreaterThan(withRelated.html.indexOf('Related stories'));
      expect(withRelated.text).toContain('- A related one (#news #ainews #syntheticdata)\n  https://news.example.com/rel');
      expect(withoutRelated.html).not.toContain('Related stories');
      expect(withoutRelated.text).not.toContain('RELATED STORIES');
    });

    it('shows an article updated under the same id with its new text, never a cached old one', () => {
      const before = anArticle({ id: 'same', title: 'First version' });
      const after = anArticle({ id: 'same', title: 'Corrected version' });

      sut.render('digest', aDigest({ articles: [before] }));
      const { html, text } = sut.render('digest', aDigest({ articles: [after] }));

      expect(html).toContain('Corrected version');
      expect(html).not.toContain('First version');
      expect(text).toContain('Corrected version');
    });

    it('stays lean: ten articles and five related stories in tens of KB', () => {
      const { html } = sut.render('digest', aDigest({ articles: someArticles(10), related: someArticles(5) }));

      expect(html.length).toBeLessThan(40_000);
    });
  });

  describe('alert', () => {
    it('is marked Breaking, in the subject and the body', () => {
      const { subject, html, text } = sut.render('alert', anAlert({ article: anArticle({ title: 'Maia 200 ships' }) }));

      expect(subject).toBe('Breaking: Maia 200 ships');
      expect(html).toContain('BREAKING NEWS');
      expect(text.startsWith('BREAKING NEWS\n\nMaia 200 ships\n')).toBe(true);
    });

    it('prefixes a staff test’s subject with [TEST]', () => {
      const { subject } = sut.render('alert', anAlert({ article: anArticle({ title: 'Maia 200 ships' }), test: true }));

      expect(subject).toBe('[TEST] Breaking: Maia 200 ships');
    });

    it('shows the image, linked to the story, when there is one', () => {
      const article = anArticle({ imageUrl: 'https://news.example.com/img/x.jpg' });

      expect(sut.render('alert', anAlert({ article })).html).toContain('src="https://news.example.com/img/x.jpg"');
      expect(sut.render('alert', anAlert({ article: anArticle({ imageUrl: undefined }) })).html).not.toContain('<img');
    });

    it('shows at most three related stories', () => {
      const related = someArticles(5, (index) => ({ title: `Related ${index + 1}` }));

      const { html } = sut.render('alert', anAlert({ related }));

      expect(html).toContain('Related 3');
      expect(html).not.toContain('Related 4');
    });

    it('shortens a very long title in the subject', () => {
      const { subject } = sut.render('alert', anAlert({ article: anArticle({ title: 'word '.repeat(100) }) }));

      expect(subject.length).toBeLessThanOrEqual('Breaking: '.length + 140);
      expect(subject.endsWith('…')).toBe(true);
    });
  });

  describe('confirm', () => {
    it('asks to confirm with one button, lists the tags and says to ignore it otherwise', () => {
      const data = aConfirmation({ tags: ['ainews', 'maia200'] });

      const { subject, html, text } = sut.render('confirm', data);

      expect(subject).toBe('Confirm your Dispatch subscription');
      expect(html).toContain(`href="${data.confirmUrl}"`);
      expect(html).toContain('#maia200</span>');
      expect(html).toContain("If this wasn't you, ignore this email");
      expect(text).toContain(`Confirm my subscription: ${data.confirmUrl}`);
      expect(text).toContain('#ainews #maia200');
    });
  });

  describe('manage', () => {
    it('links to the preference centre', () => {
      const data = aManageEmail();

      const { subject, html, text } = sut.render('manage', data);

      expect(subject).toBe('Your Dispatch subscription');
      expect(html).toContain("You're already subscribed");
      expect(html).toContain('Open my preferences');
      expect(text).toContain(data.preferencesUrl);
    });
  });

  describe('every email', () => {
    const emails = [
      ['digest', () => sut.render('digest', aDigest(footerLinks('t-1')))],
      ['alert', () => sut.render('alert', anAlert(footerLinks('t-1')))],
      ['confirm', () => sut.render('confirm', aConfirmation(footerLinks('t-1')))],
      ['manage', () => sut.render('manage', aManageEmail(footerLinks('t-1')))],
    ] as const;

    it.each(emails)('%s carries the preference and unsubscribe links in its HTML and its text', (_name, render) => {
      const { preferencesUrl, unsubscribeUrl } = footerLinks('t-1');

      const { html, text } = render();

      expect(html).toContain(`<a href="${preferencesUrl}"`);
      expect(html).toContain(`<a href="${unsubscribeUrl}"`);
      expect(text).toContain(`Manage your preferences: ${preferencesUrl}`);
      expect(text).toContain(`Unsubscribe: ${unsubscribeUrl}`);
    });

    it.each(emails)('%s has a plain-text part written from the data, not stripped HTML', (_name, render) => {
      const { text } = render();

      expect(text).not.toMatch(/<[a-z!/]/i);
      expect(text).not.toContain('&amp;');
    });

    it('fails on a preference link that is not http(s): a bug, never shipped', () => {
      expect(() => sut.render('manage', aManageEmail({ preferencesUrl: 'javascript:alert(1)' }))).toThrow(TemplateDataError);
      expect(() => sut.render('digest', aDigest({ unsubscribeUrl: '/unsubscribe' }))).toThrow(TemplateDataError);
    });
  });

  describe('hostile article data', () => {
    it.each(HOSTILE_TEXTS)('shows %j as text in every field', (hostile) => {
      const article = anArticle({ title: hostile, summary: hostile, author: hostile, tags: [hostile] });

      for (const { html, text, subject } of [
        sut.render('digest', aDigest({ articles: [article], related: [article] })),
        sut.render('alert', anAlert({ article, related: [article] })),
      ]) {
        const escaped = hostile.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
        expect(html).toContain(`>${escaped}</a>`);
        if (escaped !== hostile) expect(html).not.toContain(hostile);
        expect(html).not.toMatch(/<script|<img src=x|<mj-|onerror="/i);
        expect(html).not.toContain('root:x:0:0');
        expect(text).toContain(hostile);
        expect(subject).not.toMatch(/[\r\n]/);
      }
    });

    it('prints placeholders in titles instead of filling them', () => {
      const { html } = sut.render('digest', aDigest({ articles: [anArticle({ title: 'Leak {{unsubscribeUrl}} {{#articles}}' })] }));

      expect(html).toContain('Leak {{unsubscribeUrl}} {{#articles}}');
    });

    it.each(['javascript:alert(1)', 'JaVaScRiPt:alert(1)', ' javascript:alert(1)', 'data:text/html,<b>x</b>', 'vbscript:x', '//evil.example/x', 'not a url'])(
      'never emits a %j link: the title links to the site instead and no image is shown',
      (url) => {
        const article = anArticle({ url, imageUrl: url });

        for (const { html, text } of [sut.render('alert', anAlert({ article })), sut.render('digest', aDigest({ articles: [article] }))]) {
          expect(html).not.toMatch(/href="(?!https?:)/);
          expect(html).not.toMatch(/src="(?!https?:)/);
          expect(html).not.toContain('<img');
          expect(html).toContain(`<a href="${SITE}"`);
          expect(text).not.toContain(url.trim());
        }
      },
    );

    it('keeps CR/LF and control characters out of the subject and one-line fields', () => {
      const article = anArticle({ title: 'Line one\r\nBcc: victim@example.com\u0000\t end' });

      const alert = sut.render('alert', anAlert({ article }));

      expect(alert.subject).toBe('Breaking: Line one Bcc: victim@example.com end');
      expect(alert.text).toContain('\nLine one Bcc: victim@example.com end\n');
    });

    it('encodes quotes in URLs so an attribute cannot be closed', () => {
      const article = anArticle({ url: 'https://news.example.com/a"onmouseover="alert(1)' });

      const { html } = sut.render('digest', aDigest({ articles: [article] }));

      expect(html).toContain('href="https://news.example.com/a%22onmouseover=%22alert(1)"');
    });
  });

  describe('compiling', () => {
    let dir: string;

    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'dispatch-templates-'));
      await cp(TEMPLATES, dir, { recursive: true });
    });

    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it.each(['digest.mjml', 'manage.mjml', 'layouts/base.mjml', 'partials/article-card.mjml'])('fails fast when %s is missing', async (file) => {
      await unlink(join(dir, file));

      await expect(TemplateRenderer.compile(dir)).rejects.toThrow(new RegExp(`missing template files .*${file}`));
    });

    it('fails fast on invalid MJML', async () => {
      await writeFile(join(dir, 'manage.mjml'), '<mj-section><mj-column><mj-text padding="lots">x</mj-text></mj-column></mj-section>');

      await expect(TemplateRenderer.compile(dir)).rejects.toThrow(TemplateCompileError);
    });

    it('fails fast on an unknown brand token', async () => {
      await writeFile(join(dir, 'manage.mjml'), '<mj-section><mj-column><mj-text color="[[colors.nope]]">x</mj-text></mj-column></mj-section>');

      await expect(TemplateRenderer.compile(dir)).rejects.toThrow('unknown brand token [[colors.nope]]');
    });

    it('picks up a changed template on reload, and keeps the old ones when the new one is broken', async () => {
      const renderer = await TemplateRenderer.compile(dir);
      const manage = join(dir, 'manage.mjml');
      const source = await readFile(manage, 'utf8');

      await writeFile(manage, source.replace('Open my preferences', 'Change my preferences'));
      await renderer.reload();
      expect(renderer.render('manage', aManageEmail()).html).toContain('Change my preferences');

      await writeFile(manage, '<mj-section><mj-column><mj-text>{{#broken}}</mj-text></mj-column></mj-section>');
      await expect(renderer.reload()).rejects.toThrow();
      expect(renderer.render('manage', aManageEmail()).html).toContain('Change my preferences');
    });

    it('re-compiles by itself when watching and a file changes', async () => {
      const renderer = await TemplateRenderer.compile(dir, { watch: true });
      const manage = join(dir, 'manage.mjml');
      try {
        await writeFile(manage, (await readFile(manage, 'utf8')).replace('Open my preferences', 'Watched preferences'));

        await waitFor(() => renderer.render('manage', aManageEmail()).html.includes('Watched preferences'));
      } finally {
        renderer.close();
      }
    });

    it('derives the site link from the preference link when no siteUrl is given', async () => {
      const renderer = await TemplateRenderer.compile(dir);

      const { html } = renderer.render('alert', anAlert({ article: anArticle({ url: 'javascript:x' }), ...footerLinks() }));

      expect(html).toContain('<a href="https://dispatch.example.com/"');
    });
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
