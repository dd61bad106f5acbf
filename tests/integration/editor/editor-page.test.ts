import request from 'supertest';
import { EDITOR_KEY, startTestApp, TestApp } from '../../support/app';

jest.setTimeout(60_000);

describe('GET /editor', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp();
  }, 60_000);

  afterAll(() => sut.close());

  const linkedAssets = (page: string) => [...page.matchAll(/(?:href|src)="(\/[^"]*(?:assets)\/[^"]+)"/g)].map((match) => match[1].replace(/&amp;/g, '&'));

  it('serves the console shell to anyone, uncached, under a CSP without inline script or style', async () => {
    const res = await request(sut.url).get('/editor').expect(200);

    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-store');
    const csp = res.headers['content-security-policy'];
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toMatch(/style-src 'self'(;|$)/);
    expect(res.text).toContain('<label for="key-input">Editor key</label>');
    expect(res.text).not.toContain(EDITOR_KEY);
    expect(res.text).not.toMatch(/<script>|<style|\sstyle="/);
  });

  it('links a stylesheet shared with the reader pages, its own stylesheet and its script, all served from our origin', async () => {
    const page = (await request(sut.url).get('/editor').expect(200)).text;
    const assets = linkedAssets(page);

    expect(assets).toEqual([expect.stringMatching(/^\/assets\/site\.css\?v=/), expect.stringMatching(/^\/editor\/assets\/editor\.css\?v=/), expect.stringMatching(/^\/editor\/assets\/editor\.js\?v=/)]);
    const types = [];
    for (const asset of assets) {
      const res = await request(sut.url).get(asset).expect(200);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['cache-control']).toMatch(/immutable/);
      types.push(res.headers['content-type']);
    }
    expect(types).toEqual([expect.stringMatching(/^text\/css/), expect.stringMatching(/^text\/css/), expect.stringMatching(/^text\/javascript/)]);
  });

  it('serves the email preview frame under a policy that allows inline styles and images and never a script', async () => {
    const res = await request(sut.url).get('/editor/frame').expect(200);

    const directives = new Map(
      res.headers['content-security-policy'].split(';').map((directive: string) => {
        const [name, ...values] = directive.trim().split(/\s+/);
        return [name, values.join(' ')] as const;
      }),
    );
    expect(directives.get('default-src')).toBe("'none'");
    expect(directives.has('script-src')).toBe(false);
    expect(directives.get('style-src')).toBe("'unsafe-inline'");
    expect(directives.get('frame-ancestors')).toBe("'self'");
    expect(res.text).not.toMatch(/<script/i);
  });

  it('serves no other file from its asset path', async () => {
    for (const path of ['/editor/assets/nope.js', '/editor/assets/..%2Feditor-assets.ts', '/editor/assets/%2E%2E%2F%2E%2E%2Fpackage.json']) {
      const res = await request(sut.url).get(path);
      expect(res.status).toBe(404);
    }
  });
});
