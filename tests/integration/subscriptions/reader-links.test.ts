import { randomUUID } from 'node:crypto';
import { nextSlotAfter } from '../../../src/digests/schedule';
import { emailHash } from '../../../src/suppression/email-hash';
import { CONFIRM_TOKEN_TTL_MS } from '../../../src/subscriptions/reader-links';
import { signToken, TokenPurpose } from '../../../src/subscriptions/tokens';
import { startTestApp, TestApp } from '../../support/app';
import { headerValue } from '../../support/smtp-sink';
import { aConfirmedReader, anAddress, BROWSER, FORM, formBody, linkIn, MovableClock, send, subscribe, tokenOf, waitForMailTo } from './reader';

// Every link a reader's email carries: confirm, preference centre, unsubscribe
// (page and RFC 8058 one-click), re-subscribe and erasure — and every way a link
// can be wrong (RELIABILITY.md S6, S7).

jest.setTimeout(60_000);

describe('reader links', () => {
  const clock = new MovableClock();
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ clock });
    // Before any page is drawn: pages count tags at most every 30 s.
    await app.prisma.article.create({ data: { id: 'known-tags', title: 'A', url: 'https://example.com/a', tags: ['climate', 'ainews'], publishedAt: new Date() } });
  });

  afterAll(async () => {
    await app?.close();
  });

  afterEach(() => clock.reset());

  const sign = (purpose: TokenPurpose, subscriberId: string, version = 0, expiresAt?: Date) =>
    signToken(app.config.tokenSecret, { purpose, subscriberId, version, ...(expiresAt ? { expiresAt } : {}) });
  const inAWeek = () => new Date(clock.now().getTime() + CONFIRM_TOKEN_TTL_MS);
  const row = (id: string) => app.prisma.subscriber.findUnique({ where: { id } });

  async function aPendingReader(): Promise<{ email: string; id: string; confirmPath: string }> {
    const email = anAddress('pending');
    await subscribe(app, { email, tags: ['ainews'] });
    const [mail] = await waitForMailTo(app.smtp, email);
    const { id } = await app.prisma.subscriber.findUniqueOrThrow({ where: { email } });
    return { email, id, confirmPath: linkIn(mail, app, '/subscriptions/confirm') };
  }

  function flipLastChar(token: string): string {
    const last = token[token.length - 1];
    return token.slice(0, -1) + (last === 'A' ? 'B' : 'A');
  }

  describe('bad tokens (RELIABILITY.md S6): a 400 page and nothing changed, never a 500', () => {
    it('refuses a tampered, truncated, empty or missing confirm token', async () => {
      const { id, confirmPath } = await aPendingReader();
      const token = tokenOf(confirmPath);
      const before = await row(id);

      for (const bad of [flipLastChar(token), token.slice(0, -3), `${token}AAAA`, '', '%00', 'x'.repeat(10_000)]) {
        const page = await send(app, { path: `/subscriptions/confirm?token=${encodeURIComponent(bad)}` });
        expect(page.status).toBe(400);
        expect(page.headers['content-type']).toMatch(/^text\/html/);
        expect(page.text).toContain('Nothing has been changed');
      }
      expect((await send(app, { path: '/subscriptions/confirm' })).status).toBe(400);
      expect((await send(app, { path: `/subscriptions/confirm?token=${token}&token=${token}` })).status).toBe(400);
      expect(await row(id)).toEqual(before);
    });

    it('refuses a confirm link once it has expired', async () => {
      const { id, confirmPath } = await aPendingReader();
      clock.advance(CONFIRM_TOKEN_TTL_MS + 1000);

      const page = await send(app, { path: confirmPath });

      expect(page.status).toBe(400);
      expect(page.text).toContain('This link has expired');
      expect(await row(id)).toMatchObject({ status: 'pending', confirmedAt: null, nextDigestAt: null });
    });

    it('refuses a token made for another purpose', async () => {
      const { id } = await aPendingReader();
      const before = await row(id);

      const asConfirm = await send(app, { path: `/subscriptions/confirm?token=${sign('preferences', id)}` });
      const asPreferences = await send(app, { path: `/preferences?token=${sign('unsubscribe', id)}` });
      const asUnsubscribe = await send(app, { method: 'POST', path: `/unsubscribe?token=${sign('preferences', id)}`, body: 'List-Unsubscribe=One-Click', headers: FORM });
      const asErase = await send(app, { method: 'POST', path: `/preferences/erase?token=${sign('unsubscribe', id)}`, headers: BROWSER });

      for (const response of [asConfirm, asPreferences, asUnsubscribe, asErase]) expect(response.status).toBe(400);
      expect(asUnsubscribe.json()).toMatchObject({ statusCode: 400, message: 'token: is not a valid link token' });
      expect(await row(id)).toEqual(before);
    });

    it('refuses a token signed with another secret, or for a subscriber that does not exist', async () => {
      const { id } = await aPendingReader();
      const forged = signToken('someone-elses-secret-value', { purpose: 'confirm', subscriberId: id, version: 0, expiresAt: inAWeek() });

      expect((await send(app, { path: `/subscriptions/confirm?token=${forged}` })).status).toBe(400);
      expect((await send(app, { path: `/subscriptions/confirm?token=${sign('confirm', randomUUID(), 0, inAWeek())}` })).status).toBe(400);
      expect((await send(app, { path: `/preferences?token=${sign('preferences', randomUUID())}` })).status).toBe(400);
      expect(await row(id)).toMatchObject({ status: 'pending' });
    });

    it('never lets one reader’s link act on another reader', async () => {
      const ann = await aConfirmedReader(app);
      const bob = await aConfirmedReader(app);
      const annToken = tokenOf(linkIn(ann.mail, app, '/unsubscribe'));
      const bytes = Buffer.from(annToken, 'base64url');
      Buffer.from(bob.id.replace(/-/g, ''), 'hex').copy(bytes, 6);
      const retargeted = bytes.toString('base64url');

      const response = await send(app, { method: 'POST', path: `/unsubscribe?token=${retargeted}` });

      expect(response.status).toBe(400);
      expect(await row(bob.id)).toMatchObject({ status: 'confirmed' });
      expect(await row(ann.id)).toMatchObject({ status: 'confirmed' });
    });

    it('refuses every link sent before an unsubscribe, once the reader has unsubscribed', async () => {
      const { id, mail } = await aConfirmedReader(app);
      const preferencesPath = linkIn(mail, app, '/preferences');
      await send(app, { method: 'POST', path: linkIn(mail, app, '/unsubscribe') });
      const after = await row(id);

      const preferences = await send(app, { path: preferencesPath });
      const update = await send(app, { method: 'POST', path: preferencesPath, body: { sendHour: 3 } });
      const confirm = await send(app, { path: `/subscriptions/confirm?token=${sign('confirm', id, 0, inAWeek())}` });
      const erase = await send(app, { method: 'POST', path: preferencesPath.replace('/preferences', '/preferences/erase') });

      expect(preferences.status).toBe(400);
      expect(preferences.text).toContain('no longer valid');
      expect(update.status).toBe(400);
      expect(update.json()).toMatchObject({ message: 'token: is no longer valid' });
      expect(confirm.status).toBe(400);
      expect(erase.status).toBe(400);
      expect(await row(id)).toEqual(after);
    });
  });

  describe('confirm', () => {
    it('is idempotent: opening the link again says so and changes nothing', async () => {
      const { id, confirmPath } = await aPendingReader();
      await send(app, { path: confirmPath });
      const confirmed = await row(id);

      const again = await send(app, { path: confirmPath });

      expect(again.status).toBe(200);
      expect(again.text).toContain('already subscribed');
      expect(await row(id)).toEqual(confirmed);
    });
  });

  describe('one-click unsubscribe (RFC 8058, RELIABILITY.md S7)', () => {
    it('unsubscribes on a urlencoded List-Unsubscribe=One-Click POST without cookies, and answers 200 again on a repeat', async () => {
      const { id, mail } = await aConfirmedReader(app);
      const target = headerValue(mail, 'List-Unsubscribe')?.replace(/^<|>$/g, '') ?? '';
      const path = target.slice(app.url.length);
      expect(path).toMatch(/^\/unsubscribe\?token=/);

      const first = await send(app, { method: 'POST', path, body: 'List-Unsubscribe=One-Click', headers: FORM });
      const unsubscribed = await row(id);
      const second = await send(app, { method: 'POST', path, body: 'List-Unsubscribe=One-Click', headers: FORM });

      for (const response of [first, second]) {
        expect(response.status).toBe(200);
        expect(response.headers.location).toBeUndefined();
        expect(response.headers['set-cookie']).toBeUndefined();
      }
      expect(unsubscribed).toMatchObject({ status: 'unsubscribed', nextDigestAt: null });
      expect(unsubscribed?.unsubscribedAt).toBeInstanceOf(Date);
      expect(await row(id)).toEqual(unsubscribed);
    });

    it('accepts the same POST as multipart/form-data, twice', async () => {
      const { id, mail } = await aConfirmedReader(app);
      const path = linkIn(mail, app, '/unsubscribe');
      const boundary = '----dispatch-test-boundary';
      const body = `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`;
      const headers = { 'content-type': `multipart/form-data; boundary=${boundary}` };

      const first = await send(app, { method: 'POST', path, body, headers });
      const second = await send(app, { method: 'POST', path, body, headers });

      expect([first.status, second.status]).toEqual([200, 200]);
      expect(await row(id)).toMatchObject({ status: 'unsubscribed' });
    });

    it('revokes the reader’s outstanding links in the same step', async () => {
      const { id, mail } = await aConfirmedReader(app);
      const before = await row(id);

      await send(app, { method: 'POST', path: linkIn(mail, app, '/unsubscribe'), body: 'List-Unsubscribe=One-Click', headers: FORM });

      expect((await row(id))?.tokenVersion).toBe((before?.tokenVersion ?? 0) + 1);
    });

    it('never unsubscribes on a GET or HEAD, which mail scanners send: the page asks for a click', async () => {
      const { id, mail } = await aConfirmedReader(app);
      const path = linkIn(mail, app, '/unsubscribe');

      const page = await send(app, { path, headers: BROWSER });
      const head = await send(app, { method: 'HEAD', path });

      expect(page.status).toBe(200);
      expect(head.status).toBe(200);
      expect(page.text).toMatch(/<form method="post" action="\/unsubscribe\?token=[A-Za-z0-9_-]+">/);
      expect(await row(id)).toMatchObject({ status: 'confirmed' });
    });

    it('unsubscribes a reader who never confirmed, from the confirmation email’s own footer', async () => {
      const email = anAddress('pending');
      await subscribe(app, { email, tags: ['ainews'] });
      const [mail] = await waitForMailTo(app.smtp, email);

      const response = await send(app, { method: 'POST', path: linkIn(mail, app, '/unsubscribe'), body: 'List-Unsubscribe=One-Click', headers: FORM });

      expect(response.status).toBe(200);
      expect(await app.prisma.subscriber.findUniqueOrThrow({ where: { email } })).toMatchObject({ status: 'unsubscribed' });
      expect((await send(app, { path: linkIn(mail, app, '/subscriptions/confirm') })).status).toBe(400);
    });
  });

  describe('coming back after an unsubscribe', () => {
    it('offers no button that re-subscribes: the way back is a new double opt-in from the subscribe page', async () => {
      const { id, email, mail } = await aConfirmedReader(app, { tags: ['ainews', 'space'], sendHour: 8, timezone: 'Asia/Tokyo' });
      const page = await send(app, { method: 'POST', path: linkIn(mail, app, '/unsubscribe'), headers: BROWSER });
      expect(page.status).toBe(200);
      expect(page.text).toContain('You are unsubscribed');
      expect(page.text).not.toMatch(/<form|resubscribe/i);
      expect(page.text).toContain('href="/"');
      expect((await send(app, { method: 'POST', path: `/resubscribe?token=${sign('unsubscribe', id, 1)}` })).status).toBe(404);

      clock.advance(11 * 60_000);
      expect((await subscribe(app, { email, tags: ['ainews'] })).status).toBe(202);
      expect(await row(id)).toMatchObject({ status: 'pending' });
      const [, confirmation] = await waitForMailTo(app.smtp, email, 2);
      expect((await send(app, { path: linkIn(confirmation, app, '/subscriptions/confirm') })).status).toBe(200);
      expect(await row(id)).toMatchObject({ status: 'confirmed', tags: ['ainews'] });
    });
  });

  describe('preference centre', () => {
    it('shows the reader’s choices, with the known tags to pick from', async () => {
      const { mail } = await aConfirmedReader(app, { tags: ['ainews'], sendHour: 6, timezone: 'Europe/Paris', frequency: 'weekly', weekday: 'sunday' });

      const page = await send(app, { path: linkIn(mail, app, '/preferences') });

      expect(page.status).toBe(200);
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.text).toContain('<input type="checkbox" name="tags" value="ainews" checked>');
      expect(page.text).toContain('<input type="checkbox" name="tags" value="climate">');
      expect(page.text).toContain('<option value="6" selected>06:00</option>');
      expect(page.text).toContain('<option value="Europe/Paris" selected>');
      expect(page.text).toContain('<option value="sunday" selected>');
      expect(page.text).toContain('value="weekly" checked');
      expect(page.text).toMatch(/action="\/unsubscribe\?token=/);
      expect(page.text).toMatch(/action="\/preferences\/erase\?token=/);
    });

    it('updates from JSON, any subset, and moves the next digest to the new slot', async () => {
      const { id, mail } = await aConfirmedReader(app, { tags: ['ainews'], sendHour: 7 });
      clock.advance(3 * 60 * 60 * 1000);
      const now = clock.now();

      const response = await send(app, { method: 'POST', path: linkIn(mail, app, '/preferences'), body: { sendHour: 21, timezone: 'America/New_York', tags: ['#Space', 'ainews'] } });

      expect(response.status).toBe(200);
      const updated = await row(id);
      const prefs = { frequency: 'daily' as const, sendHour: 21, timezone: 'America/New_York', weekday: 1 };
      expect(updated).toMatchObject({ ...prefs, tags: ['space', 'ainews'], status: 'confirmed' });
      expect(updated?.nextDigestAt?.getTime()).toBeGreaterThanOrEqual(nextSlotAfter(prefs, now).getTime());
      expect(updated?.nextDigestAt?.getTime()).toBeLessThanOrEqual(nextSlotAfter(prefs, clock.now()).getTime());
      expect(response.json()).toEqual({
        status: 'saved',
        preferences: { tags: ['space', 'ainews'], frequency: 'daily', sendHour: 21, timezone: 'America/New_York', weekday: 'monday', quietHours: null, maxAlertsPerDay: null },
        nextDigestAt: updated?.nextDigestAt?.toISOString(),
      });
    });

    it('updates from the page’s form and shows the saved choices', async () => {
      const { id, mail } = await aConfirmedReader(app, { tags: ['ainews'] });
      const before = clock.now();

      const response = await send(app, {
        method: 'POST',
        path: linkIn(mail, app, '/preferences'),
        headers: { ...FORM, ...BROWSER },
        body: formBody({ tags: ['ainews'], otherTags: 'Climate, #Energy', frequency: 'weekly', weekday: 'wednesday', sendHour: '18', timezone: 'Europe/Berlin' }),
      });

      expect(response.status).toBe(200);
      expect(response.text).toContain('Saved.');
      const updated = await row(id);
      expect(updated).toMatchObject({ tags: ['ainews', 'climate', 'energy'], frequency: 'weekly', weekday: 3, sendHour: 18, timezone: 'Europe/Berlin' });
      const prefs = { frequency: 'weekly' as const, weekday: 3, sendHour: 18, timezone: 'Europe/Berlin' };
      expect(updated?.nextDigestAt?.getTime()).toBeGreaterThanOrEqual(nextSlotAfter(prefs, before).getTime());
      expect(updated?.nextDigestAt?.getTime()).toBeLessThanOrEqual(nextSlotAfter(prefs, clock.now()).getTime());
    });

    it('refuses bad choices with 400s naming the field and changes nothing', async () => {
      const { id, mail } = await aConfirmedReader(app);
      const path = linkIn(mail, app, '/preferences');
      const before = await row(id);

      const json = await send(app, { method: 'POST', path, body: { sendHour: 25, email: 'other@example.com' } });
      const empty = await send(app, { method: 'POST', path, body: {} });
      const form = await send(app, { method: 'POST', path, headers: { ...FORM, ...BROWSER }, body: formBody({ frequency: 'daily', sendHour: '7', timezone: 'Nowhere/Land', weekday: 'monday' }) });

      expect(json.status).toBe(400);
      expect(json.json<{ message: string }>().message).toMatch(/email: is not an allowed field.*sendHour: must be an integer from 0 to 23|sendHour: must be an integer from 0 to 23.*email: is not an allowed field/);
      expect(empty.status).toBe(400);
      expect(empty.json<{ message: string }>().message).toBe('body: must change at least one preference');
      expect(form.status).toBe(400);
      expect(form.text).toMatch(/Topics<\/a>: at least 1 tag/);
      expect(form.text).toMatch(/Time zone<\/a>: must be an IANA time zone name/);
      expect(await row(id)).toEqual(before);
    });

    it('lets a pending reader set choices without scheduling anything before they confirm', async () => {
      const email = anAddress('pending');
      await subscribe(app, { email, tags: ['ainews'] });
      const [mail] = await waitForMailTo(app.smtp, email);

      const response = await send(app, { method: 'POST', path: linkIn(mail, app, '/preferences'), body: { sendHour: 5 } });

      expect(response.status).toBe(200);
      expect(await app.prisma.subscriber.findUniqueOrThrow({ where: { email } })).toMatchObject({ status: 'pending', sendHour: 5, nextDigestAt: null });
    });
  });

  describe('right to erasure', () => {
    it('deletes the reader and keeps only the address’s hash, so the address is never written to again', async () => {
      const { email, id, mail } = await aConfirmedReader(app);
      const erasePath = linkIn(mail, app, '/preferences').replace('/preferences', '/preferences/erase');

      const page = await send(app, { method: 'POST', path: erasePath, headers: { ...FORM, ...BROWSER }, body: formBody({ confirm: 'yes' }) });

      expect(page.status).toBe(200);
      expect(page.text).toContain('Your data is deleted');
      expect(await row(id)).toBeNull();
      expect(await app.prisma.suppression.findUnique({ where: { emailHash: emailHash(email) } })).toMatchObject({ emailHash: emailHash(email) });
      const deliveries = await app.prisma.delivery.findMany({ where: { OR: [{ subscriberId: id }, { dedupeKey: { contains: emailHash(email) } }] } });
      expect(deliveries.length).toBeGreaterThan(0);
      for (const delivery of deliveries) expect(delivery.subscriberId).toBeNull();
      const everything = JSON.stringify(
        await app.prisma.$queryRaw`SELECT row_to_json(t)::text AS r FROM (SELECT * FROM "Delivery") t UNION ALL SELECT row_to_json(s)::text FROM "Suppression" s`,
      );
      expect(everything.toLowerCase()).not.toContain(email.toLowerCase());

      const again = await subscribe(app, { email, tags: ['ainews'] });
      expect(again.status).toBe(202);
      expect(await app.prisma.subscriber.count({ where: { email } })).toBe(0);
      expect((await send(app, { method: 'POST', path: erasePath })).status).toBe(400);
    });
  });
});
