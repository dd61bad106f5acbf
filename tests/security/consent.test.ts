import { eventually, TestApp } from '../support/app';
import { ReceivedMail } from '../support/smtp-sink';
import { anAddress, BROWSER_ACCEPT, editorAuth, FORM_TYPE, freshIp, JSON_TYPE, MovableClock, quietAppPerBlock, RawResponse, sendRaw } from './support';

// RELIABILITY.md S10 and the Consent paragraph of CONTRACT.md: after an unsubscribe,
// no link from an email sent before it, and no page reached through one, brings the
// reader back. Only a new double opt-in does. The test reads every token the service
// handed out (in mail and in pages), follows every link and submits every form it
// finds, as a curious reader (or a mail scanner) would.

jest.setTimeout(240_000);

const TOKEN_LINK = /(?:href|action)="(\/[a-z/]+\?token=[A-Za-z0-9_%-]+)"/g;

describe('consent cannot be forged (S10)', () => {
  const clock = new MovableClock();
  let app: TestApp;
  quietAppPerBlock(clock, (started) => (app = started));

  function mailsTo(address: string): ReceivedMail[] {
    return app.smtp.messages.filter((mail) => mail.envelope.to.some((to) => to.toLowerCase() === address.toLowerCase()));
  }

  async function nthMailTo(address: string, n: number): Promise<ReceivedMail> {
    return eventually(async () => mailsTo(address)[n - 1], 60_000);
  }

  /** Every same-origin path with a token in an email's text and HTML. */
  function linksIn(mail: ReceivedMail): string[] {
    const text = `${mail.text ?? ''}\n${mail.html ?? ''}`.replace(/&amp;/g, '&');
    const found = [...text.matchAll(new RegExp(`${app.url.replace(/[.:/]/g, '\\$&')}(/[a-z/]+\\?token=[A-Za-z0-9_%-]+)`, 'g'))].map((m) => m[1]);
    return [...new Set(found)];
  }

  function linksInPage(page: RawResponse): string[] {
    return [...page.text.replace(/&amp;/g, '&').matchAll(TOKEN_LINK)].map((m) => m[1]);
  }

  /**
   * Follows every token link from `start` and every link or form in the pages they
   * lead to: GET, an empty form POST and a one-click POST on each. Returns what it visited.
   */
  async function crawl(start: string[]): Promise<string[]> {
    const queue = [...start];
    const seen = new Set<string>();
    while (queue.length > 0 && seen.size < 200) {
      const path = queue.shift() as string;
      if (seen.has(path)) continue;
      seen.add(path);
      const answers = [
        await sendRaw(app, { path, headers: BROWSER_ACCEPT }),
        await sendRaw(app, { method: 'POST', path, headers: { ...FORM_TYPE, ...BROWSER_ACCEPT }, body: '' }),
        await sendRaw(app, { method: 'POST', path, headers: FORM_TYPE, body: 'List-Unsubscribe=One-Click' }),
        await sendRaw(app, { method: 'POST', path, headers: JSON_TYPE, body: JSON.stringify({ tags: ['consent'], frequency: 'daily' }) }),
      ];
      for (const answer of answers) {
        expect(answer.status).toBeLessThan(500);
        for (const link of linksInPage(answer)) if (!seen.has(link)) queue.push(link);
      }
    }
    return [...seen];
  }

  async function statusOf(email: string): Promise<string | undefined> {
    return (await app.prisma.subscriber.findUnique({ where: { email } }))?.status;
  }

  async function sendAlert(id: string): Promise<void> {
    await app.prisma.article.create({ data: { id, title: `Story ${id}`, url: `https://news.example.com/${id}`, tags: ['consent'], publishedAt: new Date() } });
    const alert = await sendRaw(app, { method: 'POST', path: '/alerts', headers: { ...editorAuth, ...JSON_TYPE }, body: JSON.stringify({ articleId: id }) });
    expect(alert.status).toBe(202);
  }

  it('brings back no unsubscribed reader through any old link or any page reached through one; a new double opt-in does', async () => {
    const email = anAddress('consent');
    const subscribed = await sendRaw(app, { method: 'POST', path: '/subscriptions', headers: JSON_TYPE, body: JSON.stringify({ email, tags: ['consent'] }), from: freshIp() });
    expect(subscribed.status).toBe(202);
    const confirmation = await nthMailTo(email, 1);
    const confirmLink = linksIn(confirmation).find((link) => link.startsWith('/subscriptions/confirm'));
    expect(confirmLink).toBeDefined();
    expect((await sendRaw(app, { path: confirmLink as string, headers: BROWSER_ACCEPT })).status).toBe(200);
    expect(await statusOf(email)).toBe('confirmed');

    await sendAlert('consent-before');
    const alert = await nthMailTo(email, 2);
    const oldLinks = [...linksIn(confirmation), ...linksIn(alert)];
    const unsubscribe = oldLinks.find((link) => link.startsWith('/unsubscribe'));
    expect(unsubscribe).toBeDefined();

    // The reader leaves by one click, as the mail provider's button does; then the pages it leads to are read too.
    const left = await sendRaw(app, { method: 'POST', path: unsubscribe as string, headers: { ...FORM_TYPE, ...BROWSER_ACCEPT }, body: 'List-Unsubscribe=One-Click' });
    expect(left.status).toBe(200);
    expect(await statusOf(email)).toBe('unsubscribed');

    const visited = await crawl([...oldLinks, ...linksInPage(left)]);
    expect(visited.length).toBeGreaterThanOrEqual(new Set(oldLinks).size);
    expect(await statusOf(email)).toBe('unsubscribed');

    // The unsubscribe page of a reader already gone says so and offers nothing that changes state.
    const page = await sendRaw(app, { path: unsubscribe as string, headers: BROWSER_ACCEPT });
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/already unsubscribed/i);
    expect(page.text).not.toMatch(/<form/i);

    await sendAlert('consent-after');
    await eventually(async () => ((await app.prisma.delivery.count({ where: { status: { in: ['queued', 'sending'] } } })) === 0 ? true : undefined), 60_000);
    expect(mailsTo(email).filter((mail) => /consent-after/.test(mail.subject ?? ''))).toHaveLength(0);

    // Coming back is a new double opt-in: subscribe, confirmation email, confirm (in the next mail window).
    clock.advance(11 * 60_000);
    const again = await sendRaw(app, { method: 'POST', path: '/subscriptions', headers: JSON_TYPE, body: JSON.stringify({ email, tags: ['consent'] }), from: freshIp() });
    expect(again.status).toBe(202);
    expect(await statusOf(email)).toBe('pending');
    const fresh = await eventually(async () => mailsTo(email).find((mail) => mail !== confirmation && linksIn(mail).some((link) => link.startsWith('/subscriptions/confirm'))), 60_000);
    const freshConfirm = linksIn(fresh).find((link) => link.startsWith('/subscriptions/confirm')) as string;
    expect((await sendRaw(app, { path: freshConfirm, headers: BROWSER_ACCEPT })).status).toBe(200);
    expect(await statusOf(email)).toBe('confirmed');
  });
});
