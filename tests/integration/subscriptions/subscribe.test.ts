import { emailHash } from '../../../src/suppression/email-hash';
import { nextSlotAfter } from '../../../src/digests/schedule';
import { SUBSCRIBE_MAIL_WINDOW_MS } from '../../../src/subscriptions/subscriptions.service';
import { SUBSCRIBE_LIMITS } from '../../../src/subscriptions/subscribe-rate-limit.guard';
import { startTestApp, TestApp } from '../../support/app';
import { headerValue } from '../../support/smtp-sink';
import {
  aConfirmedReader,
  anAddress,
  BROWSER,
  FORM,
  formBody,
  HttpResponse,
  linkIn,
  mailsTo,
  MovableClock,
  nextIp,
  send,
  subscribe,
  waitForMailTo,
} from './reader';

// POST /subscriptions and the double opt-in, against the whole service on real
// PostgreSQL, Kafka and SMTP.

jest.setTimeout(60_000);

describe('POST /subscriptions', () => {
  const clock = new MovableClock();
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ clock });
  });

  afterAll(async () => {
    await app?.close();
  });

  afterEach(() => clock.reset());

  /** Another reader's confirmation: once it has arrived, anything queued before it has been sent too. */
  async function flushMail(): Promise<void> {
    const marker = anAddress('marker');
    await subscribe(app, { email: marker, tags: ['ainews'] });
    await waitForMailTo(app.smtp, marker);
  }

  describe('validation', () => {
    // Stands for a fresh, valid address per case (each counts against that address's rate limit).
    const VALID = 'a-valid-address';

    it.each([
      ['email', { tags: ['ainews'] }, 'email: is required'],
      ['email', { email: '"a@b x"@example.com', tags: ['ainews'] }, 'email: must be a valid email address'],
      ['email', { email: 'a@example.com, b@example.com', tags: ['ainews'] }, 'email: must be a valid email address'],
      ['email', { email: 'a@example.com\r\nBcc: b@example.com', tags: ['ainews'] }, 'email: must be a valid email address'],
      ['email', { email: `${'a'.repeat(1000)}@example.com`, tags: ['ainews'] }, 'email: must be at most 254 characters'],
      ['tags', { email: VALID }, 'tags: is required'],
      ['tags', { email: VALID, tags: [] }, 'tags: at least 1 tag'],
      ['tags', { email: VALID, tags: ['no spaces'] }, 'tags[0]:'],
      ['tags', { email: VALID, tags: Array.from({ length: 51 }, (_, i) => `tag${i}`) }, 'tags: at most 50 tags'],
      ['frequency', { email: VALID, tags: ['ainews'], frequency: 'hourly' }, 'frequency:'],
      ['sendHour', { email: VALID, tags: ['ainews'], sendHour: 24 }, 'sendHour: must be an integer from 0 to 23'],
      ['sendHour', { email: VALID, tags: ['ainews'], sendHour: -1 }, 'sendHour: must be an integer from 0 to 23'],
      ['timezone', { email: VALID, tags: ['ainews'], timezone: 'Europe/Atlantis' }, 'timezone: must be an IANA time zone name'],
      ['weekday', { email: VALID, tags: ['ainews'], weekday: 'someday' }, 'weekday: must be a day of the week'],
      ['unknown field', { email: VALID, tags: ['ainews'], status: 'confirmed' }, 'status: is not an allowed field'],
    ])('answers 400 naming the field for a bad %s, and stores nothing', async (_, template, message) => {
      const fields: Record<string, unknown> = template;
      const body = fields.email === VALID ? { ...fields, email: anAddress('invalid') } : fields;
      const subscribersBefore = await app.prisma.subscriber.count();
      const response = await subscribe(app, body);

      expect(response.status).toBe(400);
      expect(response.json()).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringContaining(message) });
      expect(await app.prisma.subscriber.count()).toBe(subscribersBefore);
    });

    it('answers 400 for a body that is not JSON, and never 500', async () => {
      const response = await send(app, { method: 'POST', path: '/subscriptions', body: '{"email":', headers: { 'content-type': 'application/json' }, from: nextIp() });
      expect(response.status).toBe(400);
      expect(response.json()).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    });

    it('shows the form again with what to fix when the page’s form is refused', async () => {
      const response = await send(app, {
        method: 'POST',
        path: '/subscriptions',
        headers: { ...FORM, ...BROWSER },
        body: formBody({ email: 'not-an-address', otherTags: '', frequency: 'daily', sendHour: '7', timezone: 'UTC', weekday: 'monday' }),
        from: nextIp(),
      });

      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.text).toContain('role="alert"');
      expect(response.text).toMatch(/Email address<\/a>: must be a valid email address/);
      expect(response.text).toMatch(/Topics<\/a>: at least 1 tag/);
      expect(response.text).toContain('value="not-an-address"');
    });
  });

  describe('double opt-in', () => {
    it('queues a confirmation whose link confirms the reader and schedules the first digest', async () => {
      const email = anAddress();
      const response = await subscribe(app, { email, tags: ['#AINews', 'space'], frequency: 'weekly', sendHour: 9, timezone: 'Europe/Paris', weekday: 'friday' });

      expect(response.status).toBe(202);
      expect(response.json()).toEqual({ status: 'pending' });
      const pending = await app.prisma.subscriber.findUniqueOrThrow({ where: { email } });
      expect(pending).toMatchObject({ status: 'pending', tags: ['ainews', 'space'], frequency: 'weekly', sendHour: 9, timezone: 'Europe/Paris', weekday: 5, nextDigestAt: null });

      const [mail] = await waitForMailTo(app.smtp, email);
      expect(mail.subject).toMatch(/confirm/i);
      expect(headerValue(mail, 'List-Unsubscribe')).toMatch(new RegExp(`^<${app.url}/unsubscribe\\?token=[A-Za-z0-9_-]+>$`));
      expect(headerValue(mail, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
      expect(mail.html).toContain('/subscriptions/confirm?token=');

      const confirmedAt = clock.now();
      const page = await send(app, { path: linkIn(mail, app, '/subscriptions/confirm') });

      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.text).toContain('You are subscribed');
      const confirmed = await app.prisma.subscriber.findUniqueOrThrow({ where: { email } });
      expect(confirmed.status).toBe('confirmed');
      expect(confirmed.confirmedAt?.getTime()).toBeGreaterThanOrEqual(confirmedAt.getTime());
      const prefs = { frequency: 'weekly' as const, sendHour: 9, timezone: 'Europe/Paris', weekday: 5 };
      expect(confirmed.nextDigestAt).toEqual(nextSlotAfter(prefs, confirmed.confirmedAt as Date));
    });

    it('sends one confirmation per address per window, however often it is entered', async () => {
      const email = anAddress();
      for (let i = 0; i < SUBSCRIBE_LIMITS.perAddress.limit; i++) {
        expect((await subscribe(app, { email, tags: ['ainews'] })).status).toBe(202);
      }
      await waitForMailTo(app.smtp, email);
      await flushMail();

      expect(mailsTo(app.smtp, email)).toHaveLength(1);
      expect(await app.prisma.delivery.count({ where: { kind: 'confirm', subscriber: { email } } })).toBe(1);
    });

    it('lets a pending reader change their choices by subscribing again, and confirm with the first mail', async () => {
      const email = anAddress();
      await subscribe(app, { email, tags: ['ainews'] });
      await subscribe(app, { email, tags: ['space'], sendHour: 18 });
      const [mail] = await waitForMailTo(app.smtp, email);

      await send(app, { path: linkIn(mail, app, '/subscriptions/confirm') });

      expect(await app.prisma.subscriber.findUniqueOrThrow({ where: { email } })).toMatchObject({ status: 'confirmed', tags: ['space'], sendHour: 18 });
    });

    it('treats a differently written address as the same reader', async () => {
      const email = anAddress();
      const [local, domain] = email.split('@');
      await subscribe(app, { email, tags: ['ainews'] });
      await subscribe(app, { email: `  ${local}@${domain.toUpperCase()} `, tags: ['space'] });

      const rows = await app.prisma.subscriber.findMany({ where: { email: { contains: local } } });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ email, tags: ['space'] });
    });

    it('never changes a confirmed reader’s choices from an unauthenticated request: it mails them their preference link', async () => {
      const { email, id } = await aConfirmedReader(app, { tags: ['ainews'], sendHour: 6 });
      const before = await app.prisma.subscriber.findUniqueOrThrow({ where: { id } });

      const response = await subscribe(app, { email, tags: ['gossip'], sendHour: 23, frequency: 'weekly' });

      expect(response.status).toBe(202);
      const [, manage] = await waitForMailTo(app.smtp, email, 2);
      expect(manage.subject).not.toMatch(/confirm/i);
      expect(manage.text).toContain(`${app.url}/preferences?token=`);
      expect(await app.prisma.subscriber.findUniqueOrThrow({ where: { id } })).toEqual(before);
    });

    it('makes an unsubscribed reader who subscribes again confirm again', async () => {
      const { email, id, mail } = await aConfirmedReader(app);
      await send(app, { method: 'POST', path: linkIn(mail, app, '/unsubscribe'), body: 'List-Unsubscribe=One-Click', headers: FORM });
      clock.advance(SUBSCRIBE_MAIL_WINDOW_MS);

      const response = await subscribe(app, { email, tags: ['space'] });

      expect(response.status).toBe(202);
      expect(await app.prisma.subscriber.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'pending', tags: ['space'], nextDigestAt: null });
      const [, again] = await waitForMailTo(app.smtp, email, 2);
      expect(again.subject).toMatch(/confirm/i);
      const page = await send(app, { path: linkIn(again, app, '/subscriptions/confirm') });
      expect(page.status).toBe(200);
      expect(await app.prisma.subscriber.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'confirmed' });
    });

    it('accepts a suppressed address silently and sends it nothing', async () => {
      const email = anAddress('suppressed');
      await app.prisma.suppression.create({ data: { emailHash: emailHash(email), reason: 'hard bounce' } });

      const response = await subscribe(app, { email, tags: ['ainews'] });
      await flushMail();

      expect(response.status).toBe(202);
      expect(response.json()).toEqual({ status: 'pending' });
      expect(mailsTo(app.smtp, email)).toHaveLength(0);
      expect(await app.prisma.subscriber.count({ where: { email } })).toBe(0);
    });
  });

  describe('no enumeration (RELIABILITY.md S4)', () => {
    it('answers new, pending, confirmed, unsubscribed and suppressed addresses identically', async () => {
      const pending = anAddress('pending');
      await subscribe(app, { email: pending, tags: ['ainews'] });
      const confirmed = await aConfirmedReader(app);
      const unsubscribed = await aConfirmedReader(app);
      await send(app, { method: 'POST', path: linkIn(unsubscribed.mail, app, '/unsubscribe') });
      const suppressed = anAddress('suppressed');
      await app.prisma.suppression.create({ data: { emailHash: emailHash(suppressed), reason: 'erased' } });

      const probe = (email: string) => subscribe(app, { email, tags: ['ainews'] });
      const answers = [await probe(anAddress('new')), await probe(pending), await probe(confirmed.email), await probe(unsubscribed.email), await probe(suppressed)];

      const shape = (response: HttpResponse) => ({
        status: response.status,
        body: response.text,
        headers: Object.fromEntries(Object.entries(response.headers).filter(([name]) => !['date', 'x-request-id'].includes(name))),
      });
      expect(answers[0].status).toBe(202);
      for (const answer of answers.slice(1)) expect(shape(answer)).toEqual(shape(answers[0]));
    });
  });

  describe('rate limits (RELIABILITY.md S5)', () => {
    it(`answers 429 with Retry-After after ${SUBSCRIBE_LIMITS.perIp.limit} requests a minute from one IP, whatever X-Forwarded-For says`, async () => {
      const from = nextIp();
      for (let i = 0; i < SUBSCRIBE_LIMITS.perIp.limit; i++) {
        expect((await subscribe(app, { email: anAddress('burst'), tags: ['ainews'] }, from)).status).toBe(202);
      }

      const limited = await subscribe(app, { email: anAddress('burst'), tags: ['ainews'] }, from);
      const spoofed = await send(app, {
        method: 'POST',
        path: '/subscriptions',
        body: { email: anAddress('burst'), tags: ['ainews'] },
        headers: { 'x-forwarded-for': '203.0.113.7', forwarded: 'for=203.0.113.7', 'x-real-ip': '203.0.113.7' },
        from,
      });

      for (const response of [limited, spoofed]) {
        expect(response.status).toBe(429);
        expect(response.json()).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
        expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
        expect(Number(response.headers['retry-after'])).toBeLessThanOrEqual(SUBSCRIBE_LIMITS.perIp.windowMs / 1000);
      }
      expect((await subscribe(app, { email: anAddress('burst'), tags: ['ainews'] }, nextIp())).status).toBe(202);
    });

    it(`answers 429 after ${SUBSCRIBE_LIMITS.perAddress.limit} requests for one address, however written and from however many IPs, and mails it once`, async () => {
      const email = anAddress('target');
      const [local, domain] = email.split('@');
      const spellings = [email, `${local}@${domain.toUpperCase()}`, `  ${email} `];
      for (let i = 0; i < SUBSCRIBE_LIMITS.perAddress.limit; i++) {
        expect((await subscribe(app, { email: spellings[i % spellings.length], tags: ['ainews'] }, nextIp())).status).toBe(202);
      }

      const limited = await subscribe(app, { email: `${local}@${domain.toUpperCase()}`, tags: ['ainews'] }, nextIp());
      await flushMail();

      expect(limited.status).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(mailsTo(app.smtp, email)).toHaveLength(1);
    });

    it('shows a page, not JSON, when the subscribe form is rate-limited', async () => {
      const from = nextIp();
      const post = () =>
        send(app, {
          method: 'POST',
          path: '/subscriptions',
          headers: { ...FORM, ...BROWSER },
          body: formBody({ email: anAddress('form'), tags: 'ainews', sendHour: '7', timezone: 'UTC', frequency: 'daily', weekday: 'monday' }),
          from,
        });
      const answers: HttpResponse[] = [];
      for (let i = 0; i <= SUBSCRIBE_LIMITS.perIp.limit; i++) answers.push(await post());

      expect(answers[0].status).toBe(202);
      expect(answers[0].text).toContain('Check your inbox');
      const limited = answers[answers.length - 1];
      expect(limited.status).toBe(429);
      expect(limited.headers['content-type']).toMatch(/^text\/html/);
      expect(limited.headers['retry-after']).toBeDefined();
      expect(limited.text).toContain('Too many attempts');
    });
  });

  it('never echoes the address back in an error', async () => {
    const response = await subscribe(app, { email: 'victim@example.com\r\nBcc: attacker@example.com', tags: ['ainews'] });

    expect(response.status).toBe(400);
    expect(response.text).not.toMatch(/victim|attacker/);
  });
});
