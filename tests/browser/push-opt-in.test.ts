import { existsSync, mkdirSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { generateVAPIDKeys } from 'web-push';
import { signToken } from '../../src/subscriptions/tokens';
import { eventually, startTestApp, TestApp } from '../support/app';
import { loopbackPushEnv, TestPushService } from '../support/push-service';
import { fakePushManager, MadeSubscription } from './fake-push-manager';
import { aReader, alertFinished, anArticle, postAlert } from '../integration/alerts/alert-fixtures';

// A reader turns on breaking news on their device from Dispatch's own pages, in a real
// browser (Debian's Chromium through playwright-core): the click, not the page load,
// asks for permission; the click registers /push/sw.js and stores a PushSubscription
// with the page's topics; the same browser turns it off with no email address.
//
// Chromium's own PushManager.subscribe cannot work here: it needs Google's push service
// (FCM), which no machine of this project can reach, and headless Chromium answers
// "AbortError: Registration failed - permission denied" even with the permission granted
// (checked by hand). So, and only so, each page gets PushManager.prototype.subscribe /
// getSubscription replaced (page.addInitScript): the stand-in makes the subscription a
// browser would — an ECDH P-256 key pair made with WebCrypto in the page (raw public key
// as p256dh), 16 random bytes of auth secret — with an endpoint on the test push service
// on loopback. Everything else is the real browser: permission, service worker
// registration, fetch, CSP, localStorage. The test push service then decrypts a real
// alert's push with the private key the page made.

jest.setTimeout(180_000);

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ARTIFACTS = join(__dirname, '..', 'artifacts', 'push');
const PHONE = { width: 390, height: 844 };
const WAIT_MS = 30_000;

describe('breaking news on this device, in a browser', () => {
  const vapid = generateVAPIDKeys();
  let push: TestPushService;
  let app: TestApp;
  let browser: Browser;
  const cspViolations: string[] = [];
  /** A news site on another origin (localhost, where Dispatch is 127.0.0.1) that puts the snippet on its page. */
  let site: Server;
  let siteOrigin: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get update && apt-get install -y chromium`);
    mkdirSync(ARTIFACTS, { recursive: true });
    push = await TestPushService.start(vapid.publicKey);
    site = createServer((req, res) => void serveNewsSite(req.url ?? '/', res));
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteOrigin = `http://localhost:${(site.address() as AddressInfo).port}`;
    app = await startTestApp({
      pushAgent: push.agent,
      env: {
        ...loopbackPushEnv(vapid),
        PUSH_ALLOWED_ORIGINS: siteOrigin,
      },
    });
    const now = Date.now();
    await app.prisma.article.createMany({
      data: [
        { id: 'po-1', title: 'Models learn to read', url: 'https://news.example.com/1', tags: ['ainews'], publishedAt: new Date(now - 3_600_000) },
        { id: 'po-2', title: 'Launch window opens', url: 'https://news.example.com/2', tags: ['space'], publishedAt: new Date(now - 7_200_000) },
        { id: 'po-3', title: 'A warmer winter', url: 'https://news.example.com/3', tags: ['climate'], publishedAt: new Date(now - 9_000_000) },
      ],
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await push?.close();
    site?.closeAllConnections();
    await new Promise((resolve) => site?.close(resolve));
  });

  /** The site's page carries docs/web-push-snippet.md's snippet; its worker is a copy of Dispatch's, served from the site's origin. */
  async function serveNewsSite(url: string, res: import('node:http').ServerResponse): Promise<void> {
    if (url === '/dispatch-sw.js') {
      const worker = await fetch(`${app.url}/push/sw.js`);
      res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(await worker.text());
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>The News Site</title></head>
<body><h1>The News Site</h1>
<div data-dispatch-push data-dispatch-url="${app.url}" data-worker="/dispatch-sw.js" data-tags="world,Politics">
  <p data-push-status role="status" aria-live="polite"></p>
  <button type="button" data-push-toggle hidden>Breaking news alerts</button>
</div>
<script src="${app.url}/push/subscribe.js" defer></script>
</body></html>`);
  }

  async function aPhone(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 2, baseURL: app.url });
    context.setDefaultTimeout(WAIT_MS);
    await context.addInitScript({ content: fakePushManager(push.origin) });
    const page = await context.newPage();
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    page.on('pageerror', (error) => cspViolations.push(`page error: ${error.message}`));
    return { context, page };
  }

  const shoot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  const state = (page: Page) => page.locator('[data-dispatch-push]').getAttribute('data-push-state');
  const waitForState = (page: Page, wanted: string) => page.locator(`[data-dispatch-push][data-push-state="${wanted}"]`).waitFor();
  const permissionRequests = (page: Page) => page.evaluate('window.__permissionRequests') as Promise<number>;
  const storedSubscription = (page: Page) =>
    page.evaluate(`JSON.parse(localStorage.getItem('dispatch.push:' + location.origin) || 'null')`) as Promise<{ id: string; token: string; tags: string[] } | null>;
  const registration = (page: Page, scope = '/push/') =>
    page.evaluate(`navigator.serviceWorker.getRegistration('${scope}').then((found) => (found ? { scope: found.scope, script: found.active ? found.active.scriptURL : null } : null))`);

  it('asks nothing on load; the click asks, registers /push/sw.js and stores the ticked topics, with no email; an alert reaches it', async () => {
    const { context, page } = await aPhone();
    await page.goto('/');
    await waitForState(page, 'off');
    // Loading the page asked nothing and registered nothing.
    expect(await page.evaluate('Notification.permission')).toBe('default');
    expect(await permissionRequests(page)).toBe(0);
    expect(await registration(page)).toBeNull();
    await page.locator('#push-opt-in').scrollIntoViewIfNeeded();
    await shoot(page, '1-subscribe-page-push-off');

    await page.locator('label.chip', { hasText: '#ainews' }).click();
    await page.locator('label.chip', { hasText: '#space' }).click();
    await context.grantPermissions(['notifications'], { origin: app.url });
    await page.getByRole('button', { name: 'Turn on for this device' }).click();
    await waitForState(page, 'on');

    expect(await permissionRequests(page)).toBe(1);
    expect(await page.locator('[data-push-status]').textContent()).toBe('On: breaking news on #ainews, #space appears on this device.');
    expect(await registration(page)).toEqual({ scope: `${app.url}/push/`, script: `${app.url}/push/sw.js` });
    const stored = await storedSubscription(page);
    expect(stored).toEqual({ id: expect.any(String), token: expect.any(String), tags: ['ainews', 'space'] });
    const made = (await page.evaluate('window.__madeSubscription')) as MadeSubscription;
    const row = await app.prisma.pushSubscription.findUniqueOrThrow({ where: { id: stored!.id } });
    expect(row).toMatchObject({ endpoint: made.subscription.endpoint, p256dh: made.subscription.keys.p256dh, auth: made.subscription.keys.auth, tags: ['ainews', 'space'], staff: false });
    // Push without email: the form was never sent.
    expect(await app.prisma.subscriber.count()).toBe(0);
    await shoot(page, '2-subscribe-page-push-on');

    // A real alert, pushed through the loopback push service and decrypted with the key the page made.
    const device = push.adopt(made.name, made.privateKey, made.subscription);
    const article = await anArticle(app.prisma, { tags: ['space'] });
    const { body } = await postAlert(app, { articleId: article.id }).expect(202);
    await alertFinished(app, body.alertId);
    const [received] = await eventually(async () => (push.pushesTo(device).length > 0 ? push.pushesTo(device) : undefined));
    expect(received.payload).toMatchObject({ alertId: body.alertId, title: article.title });

    expect(cspViolations).toEqual([]);
    await context.close();
  });

  it('explains a refused permission and stores nothing', async () => {
    const { context, page } = await aPhone();
    const before = await app.prisma.pushSubscription.count();
    await page.goto('/');
    await waitForState(page, 'off');
    await page.locator('label.chip', { hasText: '#climate' }).click();
    await context.grantPermissions([], { origin: app.url });
    await page.getByRole('button', { name: 'Turn on for this device' }).click();
    await eventually(async () => ((await permissionRequests(page)) === 1 && (await state(page)) !== 'busy' ? true : undefined));
    const permission = await page.evaluate('Notification.permission');
    // Headless Chromium answers a prompt itself: dismissed ("default") or blocked ("denied").
    expect(['default', 'denied']).toContain(permission);
    expect(await page.locator('[data-push-status]').textContent()).toMatch(permission === 'denied' ? /Notifications are blocked for this site/ : /Notifications were not allowed/);
    // Blocked: the button goes, since only the browser's settings can change that now.
    expect(await page.locator('[data-push-toggle]').isVisible()).toBe(permission !== 'denied');
    expect(await storedSubscription(page)).toBeNull();
    expect(await app.prisma.pushSubscription.count()).toBe(before);
    await page.locator('#push-opt-in').scrollIntoViewIfNeeded();
    await shoot(page, '3-permission-refused');

    // No topic ticked: nothing is asked at all.
    await page.locator('label.chip', { hasText: '#climate' }).click();
    if (permission === 'default') {
      await page.getByRole('button', { name: 'Turn on for this device' }).click();
      await page.locator('[data-push-status]').getByText('Pick at least one topic above first.').waitFor();
      expect(await permissionRequests(page)).toBe(1);
    }
    await context.close();
  });

  it('the preferences page turns it on with the reader’s topics, follows them when they change, and turns it off with no email address', async () => {
    const reader = await aReader(app.prisma, { tags: ['climate', 'ainews'] });
    const row = await app.prisma.subscriber.findUniqueOrThrow({ where: { id: reader.id } });
    const token = signToken(app.config.tokenSecret, { purpose: 'preferences', subscriberId: reader.id, version: row.tokenVersion });
    const { context, page } = await aPhone();
    await context.grantPermissions(['notifications'], { origin: app.url });
    await page.goto(`/preferences?token=${token}`);
    await waitForState(page, 'off');
    expect(await permissionRequests(page)).toBe(0);
    await page.getByRole('button', { name: 'Turn on for this device' }).click();
    await waitForState(page, 'on');
    const stored = await storedSubscription(page);
    expect(await app.prisma.pushSubscription.findUniqueOrThrow({ where: { id: stored!.id } })).toMatchObject({ tags: ['climate', 'ainews'] });

    // The reader saves other topics: on the next visit this device's push follows them.
    await page.getByRole('checkbox', { name: /#ainews/ }).uncheck();
    await page.getByRole('checkbox', { name: /#space/ }).check();
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await page.getByText('Saved.').waitFor();
    await page.locator('[data-push-status]').getByText('On: breaking news on #climate, #space appears on this device.').waitFor();
    expect(await app.prisma.pushSubscription.findUniqueOrThrow({ where: { id: stored!.id } })).toMatchObject({ tags: ['climate', 'space'] });
    expect(await storedSubscription(page)).toEqual({ ...stored, tags: ['climate', 'space'] });

    // Later, on the same device: the page knows push is on, and turning it off sends only the subscription's id and token.
    await page.reload();
    await waitForState(page, 'on');
    await page.locator('#push-opt-in').scrollIntoViewIfNeeded();
    await shoot(page, '4-preferences-push-on');
    const deletes: { url: string; body: string | null }[] = [];
    page.on('request', (request) => {
      if (request.method() === 'DELETE') deletes.push({ url: request.url(), body: request.postData() });
    });
    await page.getByRole('button', { name: 'Turn off on this device' }).click();
    await waitForState(page, 'off');
    expect(deletes).toEqual([{ url: `${app.url}/push/subscriptions/${stored!.id}?token=${encodeURIComponent(stored!.token)}`, body: null }]);
    expect(deletes[0].url).not.toContain(token);
    expect(await app.prisma.pushSubscription.findUnique({ where: { id: stored!.id } })).toBeNull();
    expect(await storedSubscription(page)).toBeNull();
    // The reader's email subscription is untouched.
    expect(await app.prisma.subscriber.findUniqueOrThrow({ where: { id: reader.id } })).toMatchObject({ status: 'confirmed', tags: ['climate', 'space'] });
    await shoot(page, '5-preferences-push-off');

    expect(cspViolations).toEqual([]);
    await context.close();
  });
  it('works from a news site on another origin: its own worker, Dispatch called cross-origin (CORS)', async () => {
    const { context, page } = await aPhone();
    await context.grantPermissions(['notifications'], { origin: siteOrigin });
    await page.goto(`${siteOrigin}/`);
    await waitForState(page, 'off');
    expect(await permissionRequests(page)).toBe(0);
    await page.getByRole('button', { name: 'Turn on for this device' }).click();
    await waitForState(page, 'on');

    expect(await registration(page, '/')).toEqual({ scope: `${siteOrigin}/`, script: `${siteOrigin}/dispatch-sw.js` });
    const stored = (await page.evaluate(`JSON.parse(localStorage.getItem(${JSON.stringify(`dispatch.push:${app.url}`)}))`)) as { id: string; token: string };
    expect(await app.prisma.pushSubscription.findUniqueOrThrow({ where: { id: stored.id } })).toMatchObject({ tags: ['world', 'politics'], staff: false });
    await shoot(page, '6-news-site-push-on');

    await page.getByRole('button', { name: 'Turn off on this device' }).click();
    await waitForState(page, 'off');
    expect(await app.prisma.pushSubscription.findUnique({ where: { id: stored.id } })).toBeNull();
    expect(cspViolations).toEqual([]);
    await context.close();
  });
});
