import { existsSync } from 'node:fs';
import { Browser, chromium, Page } from 'playwright-core';
import { EDITOR_KEY, eventually, startTestApp, TestApp } from '../support/app';
import { aReaderRow, BROWSER_ACCEPT, sendRaw, SeededReader, tokenFor } from './support';

// Issue 8: security headers on every HTML page (helmet) and a Content-Security-Policy
// the pages actually pass — loaded in Debian's Chromium, which reports every
// violation — and hostile article text shown in the editor console as text, never
// run as script.

jest.setTimeout(240_000);

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// PLATFORM.md's flags; playwright gives a non-persistent launch a fresh profile of its own.
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const HOSTILE_TITLE = 'Quake <img src=x onerror="window.__xss=1;alert(1)"><script>window.__xss=2;alert(2)</script>';
const HOSTILE_SUMMARY = '<svg onload="window.__xss=3"></svg><a href="javascript:window.__xss=4">read</a>';

/** CSP directives as a map of name → sources. */
function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((parts) => parts[0] !== '')
      .map(([name, ...sources]) => [name.toLowerCase(), sources]),
  );
}

describe('HTML pages: security headers and a CSP they pass', () => {
  let app: TestApp;
  let reader: SeededReader;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (PLATFORM.md)`);
    app = await startTestApp({ env: { DIGEST_TICK_CRON: '0 0 1 1 *' } });
    reader = await aReaderRow(app.prisma, { status: 'confirmed', tags: ['quake'] });
    await app.prisma.article.create({
      data: { id: 'hostile-quake', title: HOSTILE_TITLE, summary: HOSTILE_SUMMARY, url: 'https://news.example.com/quake', tags: ['quake'], publishedAt: new Date() },
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: LAUNCH_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  const PAGES: Record<string, () => string> = {
    'the subscribe page': () => '/',
    'the preference centre': () => `/preferences?token=${tokenFor(app, 'preferences', reader)}`,
    'the unsubscribe page': () => `/unsubscribe?token=${tokenFor(app, 'unsubscribe', reader)}`,
    'the page for a refused link': () => '/subscriptions/confirm?token=nope',
    'the editor console': () => '/editor',
  };

  it.each(['/', '/preferences?token=x', '/unsubscribe?token=x', '/editor', '/subscriptions/confirm?token=x'])('sends security headers and a strict CSP with %s', async (path) => {
    const response = await sendRaw(app, { path, headers: BROWSER_ACCEPT });
    const headers = response.headers;

    expect(headers['content-type']).toMatch(/^text\/html; charset=utf-8/i);
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['x-frame-options']).toMatch(/^(DENY|SAMEORIGIN)$/);
    expect(headers['referrer-policy']).toBe('no-referrer');
    expect(headers['strict-transport-security']).toMatch(/max-age=\d{7,}/);
    expect(headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(headers['x-powered-by']).toBeUndefined();
    expect(headers['cache-control']).toMatch(/no-store/);
    const csp = directives(String(headers['content-security-policy'] ?? ''));
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'self'"]);
    expect(csp.get('form-action')).toEqual(["'self'"]);
    expect(csp.get('script-src-attr')).toEqual(["'none'"]);
    expect([...csp.values()].flat().filter((source) => /unsafe-|^\*$/.test(source))).toEqual([]);
  });

  it('keeps the email preview frame to styles and images, with no script', async () => {
    const response = await sendRaw(app, { path: '/editor/frame' });
    const csp = directives(String(response.headers['content-security-policy'] ?? ''));
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.has('script-src')).toBe(false);
    expect(csp.get('frame-ancestors')).toEqual(["'self'"]);
  });

  /** Opens a page in a fresh context, collecting every CSP violation and script error it causes. */
  async function open(path: string): Promise<{ page: Page; problems: string[] }> {
    const context = await browser.newContext({ baseURL: app.url });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (/Content[- ]Security[- ]Policy|Refused to (load|execute|apply|frame|connect)/i.test(message.text())) problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('dialog', (dialog) => {
      problems.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    // Runs before the page's own scripts (injected by the browser, so the page's CSP does not apply to it).
    await page.addInitScript({
      content: "window.__violations = []; document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));",
    });
    await page.goto(path, { waitUntil: 'load' });
    return { page, problems };
  }

  async function violations(page: Page): Promise<string[]> {
    return page.evaluate<string[]>('window.__violations');
  }

  it.each(Object.keys(PAGES))('loads %s in Chromium without a CSP violation or script error', async (name) => {
    const { page, problems } = await open(PAGES[name]());
    // Give deferred scripts and stylesheets time to run and be judged.
    await page.waitForLoadState('networkidle');
    expect({ problems, violations: await violations(page) }).toEqual({ problems: [], violations: [] });
    await page.context().close();
  });

  it('does notice a violation when a page breaks its policy (a control for the checks above)', async () => {
    const { page, problems } = await open('/');
    await page.evaluate("const s = document.createElement('script'); s.textContent = 'window.__inline = 1'; document.body.append(s);");
    await eventually(async () => ((await violations(page)).length > 0 ? true : undefined), 10_000);
    expect(await page.evaluate('window.__inline')).toBeUndefined();
    expect(await violations(page)).toEqual([expect.stringMatching(/^script-src/)]);
    expect(problems.some((problem) => /Content Security Policy/i.test(problem))).toBe(true);
    await page.context().close();
  });

  it('shows a hostile title in the editor console as text, in the results and in the email preview, without running it', async () => {
    const { page, problems } = await open('/editor');
    await page.getByLabel('Editor key').fill(EDITOR_KEY);
    await page.getByLabel('Editor key').press('Enter');
    await page.locator('#workspace').waitFor();
    await page.getByLabel('Title or tag').fill('Quake');
    await page.getByLabel('Title or tag').press('Enter');
    const result = page.locator('#search-results .result').first();
    await result.waitFor();
    expect(await result.textContent()).toContain('<script>window.__xss=2;alert(2)</script>');
    await result.click();
    await page.frameLocator('#alert-frame').getByRole('link', { name: /Quake <img/ }).first().waitFor();
    // Time for an injected element to load and fire its handler, had one been made.
    await page.waitForTimeout(1_000);

    const frameHtml = await page.frameLocator('#alert-frame').locator('body').innerHTML();
    expect(frameHtml).not.toMatch(/<script/i);
    expect(frameHtml).not.toMatch(/<img[^>]*src="x"/i);
    expect(frameHtml).not.toMatch(/<svg/i);
    await eventually(async () => ((await page.locator('#alert-subject').textContent())?.includes('<script>') ? true : undefined));
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    expect({ problems, violations: await violations(page) }).toEqual({ problems: [], violations: [] });
    await page.context().close();
  });
});
