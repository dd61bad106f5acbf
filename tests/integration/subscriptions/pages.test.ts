import { startTestApp, TestApp } from '../../support/app';
import { BROWSER, send } from './reader';

// The public pages' outside: the subscribe page and GET /tags, the assets the CSP
// lets them load, and the headers every page carries.

jest.setTimeout(60_000);

describe('reader pages', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
    const publishedAt = new Date('2026-11-23T09:00:00Z');
    await app.prisma.article.createMany({
      data: [
        { id: 'p-1', title: 'One', url: 'https://example.com/1', tags: ['ainews', 'space'], publishedAt },
        { id: 'p-2', title: 'Two', url: 'https://example.com/2', tags: ['ainews'], publishedAt },
        { id: 'p-3', title: 'Three', url: 'https://example.com/3', tags: ['climate', 'ainews', 'space'], publishedAt },
        // Cannot arrive through Kafka (tags are validated); here to prove the page escapes anyway.
        { id: 'p-4', title: 'Four', url: 'https://example.com/4', tags: ['"><script>alert(1)</script>'], publishedAt },
      ],
    });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('GET /tags lists known tags by use, most used first', async () => {
    const response = await send(app, { path: '/tags' });

    expect(response.status).toBe(200);
    expect(response.json()).toEqual([
      { tag: 'ainews', articles: 3 },
      { tag: 'space', articles: 2 },
      { tag: '"><script>alert(1)</script>', articles: 1 },
      { tag: 'climate', articles: 1 },
    ]);
  });

  it('GET / is a subscribe form offering the known tags, every control labelled', async () => {
    const response = await send(app, { path: '/', headers: BROWSER });

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    const page = response.text;
    expect(page).toContain('<form method="post" action="/subscriptions" id="subscribe-form">');
    const offered = [...page.matchAll(/name="tags" value="([^"]*)"/g)].map((match) => match[1]);
    expect(offered).toEqual(['ainews', 'space', '&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;', 'climate']);
    for (const id of ['email', 'otherTags', 'weekday', 'sendHour', 'timezone']) {
      expect(page).toContain(`<label for="${id}">`);
      expect(page).toMatch(new RegExp(`id="${id}"`));
    }
    expect(page).toMatch(/<legend id="tags-legend">Topics<\/legend>/);
    expect(page).toMatch(/<select id="timezone" name="timezone" data-browser-timezone>/);
    expect(page).toContain('<option value="Europe/Paris">Europe/Paris</option>');
  });

  it('carries no inline script or style, which the CSP forbids, and loads its own assets', async () => {
    const response = await send(app, { path: '/' });
    const csp = String(response.headers['content-security-policy']);

    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(response.text).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(response.text).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);

    const assets = [...response.text.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((match) => match[1].replace(/&amp;/g, '&'));
    expect(assets).toHaveLength(2);
    for (const path of assets) {
      const asset = await send(app, { path });
      expect(asset.status).toBe(200);
      expect(asset.headers['content-type']).toMatch(path.includes('.css') ? /^text\/css/ : /^text\/javascript/);
      expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      const again = await send(app, { path, headers: { 'if-none-match': String(asset.headers.etag) } });
      expect(again.status).toBe(304);
    }
  });

  it('answers 404 for an asset it does not have', async () => {
    expect((await send(app, { path: '/assets/secret.env' })).status).toBe(404);
    expect((await send(app, { path: '/assets/..%2Fpackage.json' })).status).toBe(404);
  });

  it('never lets a page be framed or cached', async () => {
    const response = await send(app, { path: '/preferences?token=nope' });

    expect(response.status).toBe(400);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(String(response.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
    expect(response.headers['referrer-policy']).toBe('no-referrer');
  });
});
