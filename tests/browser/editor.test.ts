import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContextOptions, chromium, Locator, Page } from 'playwright-core';
import { generateVAPIDKeys } from 'web-push';
import { BRAND } from '../../src/mail/brand';
import { EDITOR_KEY, eventually, startTestApp, TestApp } from '../support/app';
import { ReceivedMail } from '../support/smtp-sink';
import { anArticle, someReaders } from '../integration/editor/editor-fixtures';
import { loopbackPushEnv, TestPushService } from '../support/push-service';
import { fakePushManager, MadeSubscription } from './fake-push-manager';

jest.setTimeout(240_000);

const CHROMIUM = '/usr/bin/chromium';
const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ARTIFACTS = join(__dirname, '..', 'artifacts');
const HOUR = 3_600_000;
const LAPTOP = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };
/** Upper bound for anything the page waits on: generous, the machine is shared. */
const WAIT_MS = 60_000;

/**
 * The background behind the alert email's "BREAKING NEWS" banner, read from the
 * console's (same-origin) preview frame: proves the email is shown styled.
 */
const BANNER_BACKGROUND = `(() => {
  const doc = document.getElementById('alert-frame').contentDocument;
  const style = (node) => doc.defaultView.getComputedStyle(node).backgroundColor;
  let node = [...doc.querySelectorAll('div, td')].find((candidate) => candidate.textContent.trim() === '● BREAKING NEWS') || null;
  while (node && style(node) === 'rgba(0, 0, 0, 0)') node = node.parentElement;
  return node ? style(node) : null;
})()`;

/** "#b3261e" → "rgb(179, 38, 30)", as getComputedStyle reports colours. */
function rgb(hex: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return `rgb(${r}, ${g}, ${b})`;
}

/** The latest 07:00 UTC at least two hours ago: a daily 07:00 reader's digest slot, fixed for the whole test. */
function digestSlotBefore(now: number): Date {
  const slot = new Date(now - 2 * HOUR);
  if (slot.getUTCHours() < 7) slot.setUTCDate(slot.getUTCDate() - 1);
  slot.setUTCHours(7, 0, 0, 0);
  return slot;
}

describe('Editor console in a browser (Debian chromium)', () => {
  let app: TestApp;
  let browser: Browser;
  /** Console errors and CSP violations: the page must obey its own policy. */
  const problems: string[] = [];
  /** Requests Dispatch refused, as "401 /articles/search": each test says which it expects. */
  let refused: string[] = [];

  const now = Date.now();
  const digestAt = digestSlotBefore(now);
  let volcanoReaders: { id: string; email: string }[];
  let target: { id: string; title: string };
  let digestStories: { id: string; title: string }[];
  let background: { id: string; title: string };
  let quake: { id: string; title: string };
  let push: TestPushService;
  const vapid = generateVAPIDKeys();
  const TEST_RECIPIENT = 'newsroom-tests@example.com';

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get update && apt-get install -y chromium`);
    mkdirSync(ARTIFACTS, { recursive: true });
    push = await TestPushService.start(vapid.publicKey);
    app = await startTestApp({
      pushAgent: push.agent,
      env: {
        ALERT_TEST_RECIPIENTS: TEST_RECIPIENT,
        ...loopbackPushEnv(vapid),
      },
    });
    const { prisma } = app;

    volcanoReaders = await someReaders(prisma, 5, { tags: ['volcano'] });
    await someReaders(prisma, 2, { tags: ['volcano'], status: 'pending' });
    await someReaders(prisma, 1, { tags: ['volcano'], status: 'unsubscribed' });
    await someReaders(prisma, 1, { tags: ['volcano'], suppressed: true });
    await someReaders(prisma, 3, { tags: ['geology'] });
    await someReaders(prisma, 2, { tags: ['politics'] });

    background = await anArticle(prisma, { title: 'Scientists had warned of rising pressure', tags: ['volcano'], publishedAt: new Date(digestAt.getTime() - 40 * HOUR) });
    digestStories = [
      await anArticle(prisma, { title: 'Ash cloud drifts east over farmland', tags: ['volcano', 'geology'], publishedAt: new Date(digestAt.getTime() - 3 * HOUR) }),
      await anArticle(prisma, { title: 'Villages near the crater are evacuated', tags: ['volcano'], publishedAt: new Date(digestAt.getTime() - 8 * HOUR) }),
    ];
    await anArticle(prisma, { title: 'Election night: the results as they come in', tags: ['politics'], publishedAt: new Date(now - HOUR) });
    target = await anArticle(prisma, {
      id: 'volcano-erupts-capital',
      title: 'Volcano erupts near the capital',
      summary: 'Flights are grounded and schools are closed as ash falls on the city.',
      tags: ['volcano'],
      publishedAt: new Date(now - 10 * 60_000),
    });

    await someReaders(prisma, 2, { tags: ['quake'] });
    quake = await anArticle(prisma, { id: 'quake-shakes-coast', title: 'Earthquake shakes the coast', tags: ['quake'], publishedAt: new Date(now - 5 * 60_000) });

    browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await push?.close();
  });

  async function openConsole(viewport: { width: number; height: number }, options: BrowserContextOptions = {}): Promise<Page> {
    const context = await browser.newContext({ viewport, baseURL: app.url, ...options });
    context.setDefaultTimeout(WAIT_MS);
    // No push service is reachable from here: see fake-push-manager.ts.
    await context.addInitScript({ content: fakePushManager(push.origin) });
    const page = await context.newPage();
    refused = [];
    page.on('console', (message) => {
      // The browser logs every refused request too; those are checked through `refused`.
      const refusedRequest = message.text().startsWith('Failed to load resource: the server responded with a status of') || message.text().includes('net::ERR_FAILED');
      if (message.type() === 'error' && !refusedRequest) problems.push(`console: ${message.text()}`);
    });
    page.on('response', (response) => {
      if (response.status() >= 400) refused.push(`${response.status()} ${new URL(response.url()).pathname}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await page.goto('/editor');
    return page;
  }

  async function shoot(page: Page, name: string, fullPage = true): Promise<void> {
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage });
  }

  /** Waits for the element's text (trimmed) to be `expected`; fails showing the text it last had. */
  async function expectText(locator: Locator, expected: string, timeoutMs = WAIT_MS): Promise<void> {
    let last: string | null = null;
    try {
      await eventually(async () => {
        last = ((await locator.textContent()) ?? '').trim();
        return last === expected ? true : undefined;
      }, timeoutMs);
    } catch {
      expect(last).toBe(expected);
    }
  }

  async function expectTexts(locator: Locator, expected: string[]): Promise<void> {
    await locator.first().waitFor();
    expect(await locator.allTextContents()).toEqual(expected);
  }

  async function focusedId(page: Page): Promise<string | null> {
    return page.evaluate('document.activeElement ? document.activeElement.id : null');
  }

  /** The alert mails the sink received for one alert (Message-ID <alert.{alertId}.{subscriberId}@host>). */
  function alertMails(alertId: string): ReceivedMail[] {
    return app.smtp.messages.filter((mail) => mail.messageId?.startsWith(`<alert.${alertId}.`));
  }

  it('takes an editor from the key to a sent alert, with the audience previewed exactly', async () => {
    const page = await openConsole(LAPTOP);

    // The key: asked for once, a wrong one refused clearly.
    const keyInput = page.getByLabel('Editor key');
    expect(await focusedId(page)).toBe('key-input');
    await keyInput.fill('a-wrong-key');
    await keyInput.press('Enter');
    await page.getByText('That editor key was not accepted').waitFor();
    expect(await keyInput.getAttribute('aria-invalid')).toBe('true');
    await shoot(page, 'editor-01-wrong-key');
    await keyInput.fill(EDITOR_KEY);
    await keyInput.press('Enter');
    await page.locator('#workspace').waitFor();
    expect(await page.evaluate("sessionStorage.getItem('dispatch.editorKey')")).toBe(EDITOR_KEY);
    expect(page.url()).not.toContain(EDITOR_KEY);
    expect((await page.context().cookies()).length).toBe(0);

    // Find the article by a word of its title, pick it with the keyboard.
    const search = page.getByLabel('Title or tag');
    await search.fill('volcano');
    await search.press('Enter');
    await page.locator('#search-status').getByText('match “volcano”').waitFor();
    const results = page.locator('#search-results .result-title');
    await expectTexts(results, [target.title, ...digestStories.map((a) => a.title), background.title]);
    const first = page.locator('#search-results .result').first();
    await first.focus();
    await page.keyboard.press('Enter');
    expect(await first.getAttribute('aria-pressed')).toBe('true');

    // The preview: audience size and the email as readers get it, styled.
    const count = page.locator('#audience-count');
    await expectText(count, '5');
    await page.frameLocator('#alert-frame').getByRole('link', { name: target.title }).waitFor();
    await expectText(page.locator('#alert-subject'), `Breaking: ${target.title}`);
    expect(await page.evaluate(BANNER_BACKGROUND)).toBe(rgb(BRAND.colors.breaking));
    await shoot(page, 'editor-02-preview');

    // Widen the audience, see the new count, then go back to the article's tags.
    const tags = page.getByLabel('Audience tags');
    await tags.fill('volcano, #Geology');
    expect(await page.locator('#stale-note').isVisible()).toBe(true);
    expect(await page.locator('#send-button').isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Update preview' }).click();
    await expectText(count, '8');
    await page.getByRole('button', { name: 'Use the article’s tags' }).click();
    await expectText(count, '5');

    // Send, through a confirmation that names the audience size.
    await page.getByRole('button', { name: 'Send to 5 readers…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(`“${target.title}” will be sent to 5 readers by email and push, as a major alert.`);
    await shoot(page, 'editor-03-confirm', false);
    await dialog.getByRole('button', { name: 'Send to 5 readers' }).click();

    // Live progress until every email is out.
    await expectText(page.locator('#progress-state'), 'sent');
    await expectText(page.locator('#progress-sent'), '5');
    await expectText(page.locator('#progress-failed'), '0');
    await expectText(page.locator('#progress-bounced'), '0');
    await expectText(page.locator('#progress-complained'), '0');
    await expectText(page.locator('#progress-text'), 'Done: all 5 emails sent.');
    await shoot(page, 'editor-04-sent');

    const [alert] = await app.prisma.alert.findMany({ where: { articleId: target.id } });
    const mails = await eventually(async () => (alertMails(alert.id).length >= 5 ? alertMails(alert.id) : undefined), WAIT_MS);
    expect(mails.flatMap((mail) => mail.envelope.to).sort()).toEqual(volcanoReaders.map((reader) => reader.email).sort());
    expect(mails.every((mail) => mail.subject === `Breaking: ${target.title}`)).toBe(true);

    // Sending the same article again shows the alert already sent; nothing goes out twice.
    await page.getByRole('button', { name: 'Send to 5 readers…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Send to 5 readers' }).click();
    await expectText(page.locator('#progress-note'), 'This article had already been alerted, so nothing was sent again. Here is that alert.');
    await expectText(page.locator('#progress-state'), 'sent');
    expect(await app.prisma.alert.count({ where: { articleId: target.id } })).toBe(1);
    expect(await app.prisma.delivery.count({ where: { kind: 'alert' } })).toBe(5);
    await shoot(page, 'editor-05-already-sent');

    // A reader's digest at an instant: nothing sent, nothing recorded.
    const deliveriesBefore = await app.prisma.delivery.count();
    await page.getByLabel('Reader’s email address').fill(volcanoReaders[0].email);
    await page.getByLabel('Instant (UTC)').fill(digestAt.toISOString().slice(0, 16));
    await page.getByRole('button', { name: 'Preview digest' }).click();
    await page.locator('#digest-subject').waitFor();
    expect((await page.locator('#digest-articles li').allTextContents()).sort()).toEqual(digestStories.map((story) => story.id).sort());
    await expectTexts(page.locator('#digest-related li'), [background.id]);
    for (const story of digestStories) expect(await page.locator('#digest-text').textContent()).toContain(story.title);
    await page.frameLocator('#digest-frame').getByRole('link', { name: digestStories[1].title }).waitFor();
    await page.locator('#digest-section').scrollIntoViewIfNeeded();
    await shoot(page, 'editor-06-digest');
    await page.getByLabel('Reader’s email address').fill('nobody-at-all@readers.test');
    await page.getByRole('button', { name: 'Preview digest' }).click();
    await page.locator('#digest-empty').waitFor();
    expect(await app.prisma.delivery.count()).toBe(deliveriesBefore);

    expect(problems).toEqual([]);
    expect(refused).toEqual(['401 /articles/search']);
    await page.context().close();
  });

  it('asks for the key again when a call is refused, and works on a phone', async () => {
    const page = await openConsole(PHONE);
    // A key that was valid once and has since been revoked.
    await page.evaluate("sessionStorage.setItem('dispatch.editorKey', 'revoked-key')");
    await page.reload();

    await page.getByText('That editor key was not accepted').waitFor();
    const keyInput = page.getByLabel('Editor key');
    expect(await focusedId(page)).toBe('key-input');
    await keyInput.fill(EDITOR_KEY);
    await keyInput.press('Enter');

    // An article alerted earlier (by the newsroom's CMS, say): the console says so before any send.
    const [alerted] = digestStories;
    await app.prisma.alert.create({ data: { articleId: alerted.id, tags: ['volcano', 'geology'], sentBy: 'kafka', status: 'sent', recipients: 0, fannedOutAt: new Date() } });
    await page.getByLabel('Title or tag').fill('#geology');
    await page.getByLabel('Title or tag').press('Enter');
    await page.locator('#search-results .result').filter({ hasText: alerted.title }).click();
    await page.locator('#existing-note').getByText('already has a breaking alert').waitFor();
    await page.frameLocator('#alert-frame').getByRole('link', { name: alerted.title }).waitFor();
    await expectText(page.locator('#audience-count'), '8');
    // Nothing is wider than the phone's screen.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    await shoot(page, 'editor-07-phone');

    expect(problems).toEqual([]);
    expect(refused).toEqual(['401 /articles/search']);
    await page.context().close();
  });

  it('sends a pasted article that Dispatch has not stored yet, saying what it cannot preview', async () => {
    const page = await openConsole(LAPTOP);
    await page.getByLabel('Editor key').fill(EDITOR_KEY);
    await page.getByLabel('Editor key').press('Enter');
    await page.locator('#workspace').waitFor();
    const pasted = {
      id: 'pasted-landslide-2026',
      title: 'Landslide closes the mountain pass',
      url: 'https://news.example.com/pasted-landslide-2026',
      summary: 'The road will stay closed for days.',
      tags: ['#Geology'],
      publishedAt: new Date(now).toISOString(),
    };

    await page.getByText('Or paste an article (JSON)').click();
    await page.getByLabel('Article in the event shape').fill('{"id": "half an article"');
    await page.getByRole('button', { name: 'Use this article' }).click();
    await page.locator('#paste-error').getByText('That is not valid JSON').waitFor();
    await page.getByLabel('Article in the event shape').fill(JSON.stringify(pasted, null, 2));
    await page.getByRole('button', { name: 'Use this article' }).click();

    await page.locator('#preview-note').getByText('not stored in Dispatch yet').waitFor();
    await expectText(page.locator('#audience-count'), '?');
    expect(await page.getByLabel('Audience tags').inputValue()).toBe('geology');
    await page.getByRole('button', { name: 'Send alert…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(`“${pasted.title}” will be sent to every confirmed reader with the tag #geology by email and push, as a major alert.`);
    await shoot(page, 'editor-08-paste-confirm', false);
    await dialog.getByRole('button', { name: 'Send now' }).click();

    await expectText(page.locator('#progress-state'), 'sent');
    await expectText(page.locator('#progress-sent'), '3');
    const [alert] = await app.prisma.alert.findMany({ where: { articleId: pasted.id } });
    const mails = await eventually(async () => (alertMails(alert.id).length >= 3 ? alertMails(alert.id) : undefined), WAIT_MS);
    expect(mails).toHaveLength(3);
    // Stored now: its email and audience can be shown.
    await page.frameLocator('#alert-frame').getByRole('link', { name: pasted.title }).waitFor();
    await expectText(page.locator('#audience-count'), '3');
    await shoot(page, 'editor-09-paste-sent');

    expect(problems).toEqual([]);
    expect(refused).toEqual(['404 /alerts/preview']);
    await page.context().close();
  });
  // Needs the alert-options backend (POST /alerts channels/priority/test/sendAt and
  // Idempotency-Key, DELETE /alerts/:id, GET /alerts/:id "channels"): what the console
  // sends is checked against the contract whatever the server answers; the steps marked
  // [backend] check what the server then does.
  it('registers a staff browser, sends tests, schedules in the editor’s zone and cancels, keying every send', async () => {
    const page = await openConsole(LAPTOP, { timezoneId: 'Europe/Paris' });
    const posts: { body: Record<string, unknown>; key: string | undefined; auth: string | undefined }[] = [];
    const deletes: string[] = [];
    page.on('request', (request) => {
      const path = new URL(request.url()).pathname;
      if (request.method() === 'POST' && (path === '/alerts' || path === '/push/subscriptions')) {
        posts.push({ body: request.postDataJSON() as Record<string, unknown>, key: request.headers()['idempotency-key'], auth: request.headers().authorization });
      }
      if (request.method() === 'DELETE') deletes.push(path);
    });
    const alertPosts = () => posts.filter((post) => 'articleId' in post.body);
    await page.getByLabel('Editor key').fill(EDITOR_KEY);
    await page.getByLabel('Editor key').press('Enter');
    await page.locator('#workspace').waitFor();
    expect(await page.locator('#send-at-zone').textContent()).toBe('(Europe/Paris)');

    // A staff browser: the click asks for notifications, registers the worker, subscribes as staff with the editor's key.
    await page.context().grantPermissions(['notifications'], { origin: app.url });
    await page.getByRole('button', { name: 'Register this browser for test pushes' }).click();
    await page.locator('#staff-push-status').getByText('This browser is registered').waitFor();
    const staffPost = posts.find((post) => 'subscription' in post.body);
    expect(staffPost).toMatchObject({ body: { staff: true, tags: ['dispatch-staff'] }, auth: `Bearer ${EDITOR_KEY}` });
    const made = (await page.evaluate('window.__madeSubscription')) as MadeSubscription;
    expect(await app.prisma.pushSubscription.findUniqueOrThrow({ where: { endpoint: made.subscription.endpoint } })).toMatchObject({ staff: true });
    const staffDevice = push.adopt(made.name, made.privateKey, made.subscription);

    await page.getByLabel('Title or tag').fill('#quake');
    await page.getByLabel('Title or tag').press('Enter');
    await page.locator('#search-results .result').filter({ hasText: quake.title }).click();
    await expectText(page.locator('#audience-count'), '2');

    // A test on both channels: the newsroom's test address and the staff browser, no reader.
    await page.getByRole('button', { name: 'Send test' }).click();
    await eventually(async () => (alertPosts().length === 1 ? true : undefined));
    expect(alertPosts()[0]).toEqual({ body: { articleId: quake.id, test: true }, key: expect.stringMatching(/^[0-9a-f-]{36}$/), auth: `Bearer ${EDITOR_KEY}` });
    // [backend]
    await page.locator('#test-status').getByText('Test sent to').waitFor();
    const testMail = await eventually(async () => app.smtp.messages.find((mail) => mail.envelope.to.includes(TEST_RECIPIENT)), WAIT_MS);
    expect(testMail.subject).toMatch(/^\[TEST\]/);
    const [testPush] = await eventually(async () => (push.pushesTo(staffDevice).length > 0 ? push.pushesTo(staffDevice) : undefined), WAIT_MS);
    expect(testPush.payload).toMatchObject({ title: expect.stringContaining(quake.title) });
    await shoot(page, 'editor-10-test-sent');

    // Email only, minor: a second test is a new compose, with a new key.
    await page.getByRole('checkbox', { name: 'Push' }).uncheck();
    await page.getByRole('radio', { name: 'Minor' }).check();
    await page.getByRole('button', { name: 'Send test' }).click();
    await eventually(async () => (alertPosts().length === 2 ? true : undefined));
    expect(alertPosts()[1].body).toEqual({ articleId: quake.id, channels: ['email'], priority: 'minor', test: true });
    expect(alertPosts()[1].key).not.toBe(alertPosts()[0].key);
    await page.locator('#test-status').getByText('Test sent to').waitFor(); // [backend]

    // Scheduled two hours ahead, typed in the editor's own zone (Europe/Paris).
    const at = new Date(Math.ceil((Date.now() + 2 * HOUR) / 60_000) * 60_000);
    const parisWallClock = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at).replace(' ', 'T');
    await page.getByRole('checkbox', { name: 'Push' }).check();
    await page.getByRole('radio', { name: 'Major' }).check();
    await page.getByRole('radio', { name: 'Schedule' }).check();
    await page.getByLabel('Send at').fill(parisWallClock);
    // The first attempt is lost on the way: the retry carries the same key, so the server can never make two alerts of it.
    let dropped = false;
    await page.route('**/alerts', (route) => {
      if (route.request().method() === 'POST' && !dropped) {
        dropped = true;
        return route.abort('failed');
      }
      return route.continue();
    });
    for (let attempt = 0; attempt < 2; attempt++) {
      await page.getByRole('button', { name: 'Schedule for 2 readers…' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('heading', { name: 'Schedule this breaking alert?' }).waitFor();
      expect(await dialog.textContent()).toContain(`It goes out at ${parisWallClock.replace('T', ' ')} (Europe/Paris).`);
      if (attempt === 0) await shoot(page, 'editor-11-schedule-confirm', false);
      await dialog.getByRole('button', { name: 'Schedule to 2 readers' }).click();
      if (attempt === 0) await page.locator('#console-error').getByText('The alert was not sent').waitFor();
    }
    await page.locator('#console-error').waitFor({ state: 'hidden' });
    await page.unroute('**/alerts');
    const [lost, retried] = alertPosts().slice(2);
    expect(lost).toEqual({ body: { articleId: quake.id, sendAt: at.toISOString() }, key: expect.any(String), auth: `Bearer ${EDITOR_KEY}` });
    expect(retried).toEqual(lost);
    expect(lost.key).not.toBe(alertPosts()[1].key);

    // [backend] Scheduled, then cancelled from the progress panel; no reader got anything.
    await expectText(page.locator('#progress-state'), 'scheduled');
    await expectText(page.locator('#progress-text'), `Scheduled for ${parisWallClock.replace('T', ' ')} (Europe/Paris). It can be cancelled until then.`);
    await page.locator('#channel-progress').waitFor();
    await expectText(page.locator('#email-recipients'), '2');
    await expectText(page.locator('#push-recipients'), '0');
    await shoot(page, 'editor-12-scheduled');
    await page.getByRole('button', { name: 'Cancel this alert' }).click();
    await expectText(page.locator('#progress-state'), 'cancelled');
    await expectText(page.locator('#progress-note'), 'Cancelled before anything went out.');
    expect(deletes).toHaveLength(1);
    expect(deletes[0]).toMatch(/^\/alerts\/[0-9a-f-]{36}$/);
    expect(await page.locator('#cancel-button').isVisible()).toBe(false);
    await shoot(page, 'editor-13-cancelled');
    const quakeReaders = await app.prisma.subscriber.findMany({ where: { tags: { has: 'quake' } }, select: { email: true } });
    expect(app.smtp.messages.filter((mail) => quakeReaders.some((reader) => mail.envelope.to.includes(reader.email)))).toEqual([]);

    expect(problems).toEqual([]);
    await page.context().close();
  });
});
