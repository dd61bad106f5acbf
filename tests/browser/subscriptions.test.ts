import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserContext, chromium, Page } from 'playwright-core';
import { nextSlotAfter } from '../../src/digests/schedule';
import { eventually, startTestApp, TestApp } from '../support/app';
import { ReceivedMail } from '../support/smtp-sink';

// The reader's whole journey in a real browser (Debian's Chromium driven by
// playwright-core): subscribe on /, confirm from the email that reached our SMTP
// server, change preferences in the page, unsubscribe — checking the database
// after each step and leaving a screenshot of every page in tests/artifacts/.

jest.setTimeout(120_000);

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', 'artifacts', 'subscriptions');
const READER = 'browser.reader@example.com';
const TIMEZONE = 'America/New_York';

describe('a reader in the browser', () => {
  let app: TestApp;
  let browser: BrowserContext;
  let page: Page;
  let profile: string;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    app = await startTestApp();
    const now = Date.now();
    await app.prisma.article.createMany({
      data: [
        { id: 'b-1', title: 'Models learn to read', url: 'https://news.example.com/1', tags: ['ainews', 'research'], publishedAt: new Date(now - 3_600_000) },
        { id: 'b-2', title: 'Launch window opens', url: 'https://news.example.com/2', tags: ['space'], publishedAt: new Date(now - 7_200_000) },
        { id: 'b-3', title: 'A warmer winter', url: 'https://news.example.com/3', tags: ['climate', 'ainews'], publishedAt: new Date(now - 9_000_000) },
      ],
    });
    profile = mkdtempSync(join(tmpdir(), 'dispatch-chromium-'));
    // PLATFORM.md's flags; playwright passes the fresh profile as --user-data-dir itself.
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      // A phone-sized window: the pages must read well where most readers open their email.
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      timezoneId: TIMEZONE,
      locale: 'en-US',
    });
    page = browser.pages()[0] ?? (await browser.newPage());
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  const shoot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  /** Names of form controls a screen reader could not name: none allowed. */
  const unlabelledControls = () =>
    page.evaluate(`[...document.querySelectorAll('input, select, textarea, button')]
      .filter((el) => el.type !== 'hidden' && (el.tagName === 'BUTTON' ? !el.textContent.trim() : el.labels.length === 0))
      .map((el) => el.name || el.tagName)`);
  const reader = () => app.prisma.subscriber.findUnique({ where: { email: READER } });
  const cspViolations: string[] = [];

  function linkIn(mail: ReceivedMail, path: string): string {
    const found = new RegExp(`${app.url.replace(/[.:/]/g, '\\$&')}${path}\\?token=[A-Za-z0-9_-]+`).exec(mail.text ?? '');
    if (!found) throw new Error(`no ${path} link in "${mail.subject}"`);
    return found[0];
  }

  it('subscribes, confirms from the email, changes preferences and unsubscribes', async () => {
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });

    // 1. The subscribe page: known tags to pick, the browser's own time zone pre-selected.
    await page.goto(`${app.url}/`);
    expect(await page.locator('#timezone').inputValue()).toBe(TIMEZONE);
    expect(await page.locator('input[name="tags"]').evaluateAll((inputs) => inputs.map((input) => input.getAttribute('value')))).toEqual(
      expect.arrayContaining(['ainews', 'space', 'climate', 'research']),
    );
    expect(await unlabelledControls()).toEqual([]);
    await shoot('1-subscribe');

    await page.getByLabel('Email address').fill(READER);
    await page.locator('label.chip', { hasText: '#ainews' }).click();
    await page.locator('label.chip', { hasText: '#space' }).click();
    await page.getByLabel('Once a week').check();
    await page.getByLabel('Day of the week').selectOption('friday');
    await page.getByLabel('Send at').selectOption('8');
    await page.getByRole('button', { name: 'Subscribe' }).click();

    // 2. "Check your inbox", and a pending reader with exactly those choices.
    await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
    await shoot('2-check-inbox');
    expect(await reader()).toMatchObject({ status: 'pending', tags: ['ainews', 'space'], frequency: 'weekly', weekday: 5, sendHour: 8, timezone: TIMEZONE, nextDigestAt: null });

    // 3. The confirmation email arrives over SMTP; its link confirms.
    const mail = await eventually(async () => app.smtp.messages.find((m) => m.envelope.to.includes(READER)));
    expect(mail.subject).toMatch(/confirm/i);
    await page.goto(linkIn(mail, '/subscriptions/confirm'));
    await page.getByRole('heading', { name: 'You are subscribed' }).waitFor();
    await shoot('3-confirmed');
    const confirmed = await reader();
    expect(confirmed).toMatchObject({ status: 'confirmed' });
    expect(confirmed?.nextDigestAt).toEqual(nextSlotAfter({ frequency: 'weekly', weekday: 5, sendHour: 8, timezone: TIMEZONE }, confirmed?.confirmedAt as Date));

    // 4. The preference centre, reached from the confirmation page; change topics and timing.
    await page.getByRole('link', { name: 'Change topics or timing' }).click();
    await page.getByRole('heading', { name: 'Your preferences' }).waitFor();
    expect(await page.getByRole('checkbox', { name: /#ainews/ }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: /#climate/ }).isChecked()).toBe(false);
    expect(await unlabelledControls()).toEqual([]);
    await shoot('4-preferences');
    await page.getByRole('checkbox', { name: /#space/ }).uncheck();
    await page.getByRole('checkbox', { name: /#climate/ }).check();
    await page.getByLabel('Other topics').fill('energy');
    await page.getByLabel('Every day').check();
    await page.getByLabel('Send at').selectOption('18');
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await page.getByText('Saved.').waitFor();
    await shoot('5-preferences-saved');
    const updated = await reader();
    expect(updated).toMatchObject({ status: 'confirmed', tags: ['ainews', 'climate', 'energy'], frequency: 'daily', sendHour: 18, timezone: TIMEZONE });
    expect(updated?.nextDigestAt?.getTime()).toBeGreaterThan(Date.now());
    expect(updated?.nextDigestAt).not.toEqual(confirmed?.nextDigestAt);

    // 5. A refused form says what to fix, next to the field.
    for (const box of await page.getByRole('checkbox', { name: /#/ }).all()) await box.uncheck();
    await page.getByLabel('Other topics').fill('');
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await page.getByRole('alert').waitFor();
    await shoot('6-preferences-error');
    expect(await page.getByRole('alert').innerText()).toMatch(/Topics: at least 1 tag/);
    expect((await reader())?.tags).toEqual(['ainews', 'climate', 'energy']);

    // 6. The unsubscribe link from the email shows a page; only its button unsubscribes.
    await page.goto(linkIn(mail, '/unsubscribe'));
    await page.getByRole('heading', { name: /Unsubscribe from/ }).waitFor();
    await shoot('7-unsubscribe');
    expect((await reader())?.status).toBe('confirmed');
    await page.getByRole('button', { name: 'Unsubscribe' }).click();
    await page.getByRole('heading', { name: 'You are unsubscribed' }).waitFor();
    await shoot('8-unsubscribed');
    expect(await reader()).toMatchObject({ status: 'unsubscribed', nextDigestAt: null });

    // 7. The old preference link is now refused with a readable page.
    await page.goto(linkIn(mail, '/preferences'));
    await page.getByRole('heading', { name: 'This link is no longer valid' }).waitFor();
    await shoot('9-link-no-longer-valid');

    expect(cspViolations).toEqual([]);
  });
});

