import { signToken } from '../../src/subscriptions/tokens';
import { eventually, TestApp } from '../support/app';
import { headerValue, ReceivedMail } from '../support/smtp-sink';
import { aReaderRow, anAddress, BROWSER_ACCEPT, editorAuth, FORM_TYPE, freshIp, JSON_TYPE, MovableClock, quietAppPerBlock, RawResponse, SeededReader, sendRaw, tokenFor } from './support';

// RELIABILITY.md S6 and S7: the signed links in every email. A link that was
// tampered with, cut short, expired, meant for something else or someone else,
// or replayed after the reader left, changes nothing and is answered 4xx — never
// 500. One-click unsubscribe (RFC 8058) works as mail providers send it; a GET
// (what link scanners do) never unsubscribes.

jest.setTimeout(180_000);

const DAY = 24 * 60 * 60 * 1000;

describe('reader links under attack (S6, S7)', () => {
  const clock = new MovableClock();
  let app: TestApp;
  quietAppPerBlock(clock, (started) => (app = started));

  const statusOf = async (reader: { id: string }) => (await app.prisma.subscriber.findUniqueOrThrow({ where: { id: reader.id } })).status;
  const snapshot = async (reader: { id: string }) => {
    const { status, tags, frequency, sendHour, timezone, weekday, tokenVersion } = await app.prisma.subscriber.findUniqueOrThrow({ where: { id: reader.id } });
    return { status, tags, frequency, sendHour, timezone, weekday, tokenVersion };
  };

  /** Every way a link is used: the pages, the JSON and form posts, one-click. */
  function useEverywhere(token: string): Promise<RawResponse>[] {
    const query = `token=${encodeURIComponent(token)}`;
    return [
      sendRaw(app, { path: `/subscriptions/confirm?${query}`, headers: BROWSER_ACCEPT }),
      sendRaw(app, { path: `/preferences?${query}`, headers: BROWSER_ACCEPT }),
      sendRaw(app, { method: 'POST', path: `/preferences?${query}`, headers: JSON_TYPE, body: JSON.stringify({ tags: ['changed'], sendHour: 3 }) }),
      sendRaw(app, { method: 'POST', path: `/preferences?${query}`, headers: { ...FORM_TYPE, ...BROWSER_ACCEPT }, body: 'tags=changed&frequency=weekly&sendHour=3&timezone=UTC&weekday=friday' }),
      sendRaw(app, { method: 'POST', path: `/preferences/erase?${query}`, headers: JSON_TYPE, body: '{}' }),
      sendRaw(app, { path: `/unsubscribe?${query}`, headers: BROWSER_ACCEPT }),
      sendRaw(app, { method: 'POST', path: `/unsubscribe?${query}`, headers: FORM_TYPE, body: 'List-Unsubscribe=One-Click' }),
    ];
  }

  async function expectRefusedEverywhere(token: string, readers: { id: string }[]): Promise<void> {
    const before = await Promise.all(readers.map(snapshot));
    const answers = await Promise.all(useEverywhere(token));
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 400));
    for (const answer of answers) {
      expect(answer.headers.location).toBeUndefined();
      expect(answer.text).not.toContain(token.length > 8 ? token : '\u0000');
    }
    expect(await Promise.all(readers.map(snapshot))).toEqual(before);
  }

  describe('S6: tokens', () => {
    let reader: SeededReader;
    let other: SeededReader;

    beforeAll(async () => {
      reader = await aReaderRow(app.prisma, { status: 'confirmed', tags: ['news'] });
      other = await aReaderRow(app.prisma, { status: 'confirmed', tags: ['news'] });
    });

    /** Flips one base64url character to another, keeping the token well-formed. */
    function flip(token: string, index: number): string {
      const char = token[index];
      const replacement = char === 'A' ? 'B' : 'A';
      return `${token.slice(0, index)}${replacement}${token.slice(index + 1)}`;
    }

    it.each([
      ['its signature tampered with', (token: string) => flip(token, token.length - 3)],
      ['its payload tampered with', (token: string) => flip(token, 4)],
      ['its last character cut', (token: string) => token.slice(0, -1)],
      ['cut to ten characters', (token: string) => token.slice(0, 10)],
      ['empty', () => ''],
      ['padded with base64 "="', (token: string) => `${token}=`],
      ['with a character appended', (token: string) => `${token}A`],
      ['in standard base64 (+ and /)', (token: string) => token.replace(/-/g, '+').replace(/_/g, '/') + (token.includes('-') || token.includes('_') ? '' : '+')],
      ['percent-encoded junk', () => '%00%ff%ED%A0%80'],
      ['huge', (token: string) => token.repeat(200)],
    ])('refuses a link %s, everywhere, and changes nothing', async (_, alter) => {
      const token = alter(tokenFor(app, 'preferences', reader));
      await expectRefusedEverywhere(token, [reader, other]);
    });

    it('refuses a link signed with another secret', async () => {
      const forged = signToken('not-the-service-secret-at-all', { purpose: 'unsubscribe', subscriberId: reader.id, version: reader.tokenVersion });
      await expectRefusedEverywhere(forged, [reader]);
      expect(await statusOf(reader)).toBe('confirmed');
    });

    it("refuses a reader's own link pointed at another subscriber (id swapped, signature kept)", async () => {
      const mine = Buffer.from(tokenFor(app, 'unsubscribe', reader), 'base64url');
      const theirs = Buffer.from(tokenFor(app, 'unsubscribe', other), 'base64url');
      // Layout: format, flags, version (4), subscriber id (16), MAC (16): keep the MAC, take the other id.
      const swapped = Buffer.concat([mine.subarray(0, 6), theirs.subarray(6, 22), mine.subarray(22)]).toString('base64url');

      await expectRefusedEverywhere(swapped, [reader, other]);
      expect(await statusOf(other)).toBe('confirmed');
    });

    it('refuses a link used for another purpose', async () => {
      const preferences = tokenFor(app, 'preferences', reader);
      const unsubscribe = tokenFor(app, 'unsubscribe', reader);
      const before = await snapshot(reader);

      const answers = await Promise.all([
        sendRaw(app, { method: 'POST', path: `/unsubscribe?token=${preferences}`, headers: FORM_TYPE, body: 'List-Unsubscribe=One-Click' }),
        sendRaw(app, { method: 'POST', path: `/preferences?token=${unsubscribe}`, headers: JSON_TYPE, body: JSON.stringify({ sendHour: 3 }) }),
        sendRaw(app, { method: 'POST', path: `/preferences/erase?token=${unsubscribe}`, headers: JSON_TYPE, body: '{}' }),
        sendRaw(app, { path: `/subscriptions/confirm?token=${preferences}`, headers: BROWSER_ACCEPT }),
      ]);

      expect(answers.map((answer) => answer.status)).toEqual([400, 400, 400, 400]);
      expect(await snapshot(reader)).toEqual(before);
    });

    it('refuses an expired confirmation link and leaves the reader pending', async () => {
      const email = anAddress('expiring');
      const subscribed = await sendRaw(app, { method: 'POST', path: '/subscriptions', headers: JSON_TYPE, body: JSON.stringify({ email, tags: ['news'] }), from: freshIp() });
      expect(subscribed.status).toBe(202);
      const mail = await mailTo(email);
      const link = linkIn(mail, '/subscriptions/confirm');

      clock.advance(8 * DAY);
      try {
        const answer = await sendRaw(app, { path: link, headers: BROWSER_ACCEPT });
        expect(answer.status).toBe(400);
        expect(answer.text).toMatch(/expired/i);
      } finally {
        clock.advance(-8 * DAY);
      }
      expect((await app.prisma.subscriber.findUniqueOrThrow({ where: { email } })).status).toBe('pending');
    });

    it('refuses every link of a reader who unsubscribed, except the unsubscribe link itself (idempotent)', async () => {
      const leaver = await aReaderRow(app.prisma, { status: 'confirmed', tags: ['news'] });
      const old = {
        preferences: tokenFor(app, 'preferences', leaver),
        unsubscribe: tokenFor(app, 'unsubscribe', leaver),
        confirm: tokenFor(app, 'confirm', leaver),
      };
      const left = await sendRaw(app, { method: 'POST', path: `/unsubscribe?token=${old.unsubscribe}`, headers: FORM_TYPE, body: 'List-Unsubscribe=One-Click' });
      expect(left.status).toBe(200);
      const after = await snapshot(leaver);
      expect(after.status).toBe('unsubscribed');

      const replays = await Promise.all([
        sendRaw(app, { path: `/preferences?token=${old.preferences}`, headers: BROWSER_ACCEPT }),
        sendRaw(app, { method: 'POST', path: `/preferences?token=${old.preferences}`, headers: JSON_TYPE, body: JSON.stringify({ tags: ['back'] }) }),
        sendRaw(app, { method: 'POST', path: `/preferences/erase?token=${old.preferences}`, headers: JSON_TYPE, body: '{}' }),
        sendRaw(app, { path: `/subscriptions/confirm?token=${old.confirm}`, headers: BROWSER_ACCEPT }),
      ]);
      expect(replays.map((answer) => answer.status)).toEqual([400, 400, 400, 400]);
      expect(await snapshot(leaver)).toEqual(after);
      // RFC 8058 senders retry: the unsubscribe link answers 200 again and can only lead where the reader already is.
      const again = await sendRaw(app, { method: 'POST', path: `/unsubscribe?token=${old.unsubscribe}`, headers: FORM_TYPE, body: 'List-Unsubscribe=One-Click' });
      expect(again.status).toBe(200);
      expect(await snapshot(leaver)).toEqual(after);
    });

    it('hands out no token once a reader has unsubscribed: the pages an old link reaches offer nothing that changes state', async () => {
      const leaver = await aReaderRow(app.prisma, { status: 'confirmed', tags: ['news'] });
      const oldUnsubscribe = tokenFor(app, 'unsubscribe', leaver);
      const path = `/unsubscribe?token=${oldUnsubscribe}`;
      const answers = [
        await sendRaw(app, { method: 'POST', path, headers: { ...FORM_TYPE, ...BROWSER_ACCEPT }, body: '' }),
        await sendRaw(app, { method: 'POST', path, headers: FORM_TYPE, body: 'List-Unsubscribe=One-Click' }),
        await sendRaw(app, { path, headers: BROWSER_ACCEPT }),
      ];
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
      expect(await statusOf(leaver)).toBe('unsubscribed');
      for (const answer of answers) {
        // Any token a page hands out here is one more way back in without a new opt-in.
        expect(answer.text).not.toMatch(/token=/);
        expect(answer.text).not.toMatch(/<form/i);
      }
      expect(answers[2].text).toMatch(/already unsubscribed/i);
    });

    it('does not let an old unsubscribe link end a subscription made again afterwards (a new double opt-in)', async () => {
      const returning = await aReaderRow(app.prisma, { status: 'confirmed', tags: ['news'] });
      const oldUnsubscribe = tokenFor(app, 'unsubscribe', returning);
      const left = await sendRaw(app, { method: 'POST', path: `/unsubscribe?token=${oldUnsubscribe}`, headers: FORM_TYPE, body: 'List-Unsubscribe=One-Click' });
      expect(left.status).toBe(200);
      const subscribed = await sendRaw(app, { method: 'POST', path: '/subscriptions', headers: JSON_TYPE, body: JSON.stringify({ email: returning.email, tags: ['news'] }), from: freshIp() });
      expect(subscribed.status).toBe(202);
      expect(await statusOf(returning)).toBe('pending');
      const confirmed = await sendRaw(app, { path: linkIn(await mailTo(returning.email), '/subscriptions/confirm'), headers: BROWSER_ACCEPT });
      expect(confirmed.status).toBe(200);
      expect(await statusOf(returning)).toBe('confirmed');

      const replay = await sendRaw(app, { method: 'POST', path: `/unsubscribe?token=${oldUnsubscribe}`, headers: FORM_TYPE, body: 'List-Unsubscribe=One-Click' });
      expect(replay.status).toBe(400);
      expect(await statusOf(returning)).toBe('confirmed');
    });
  });

  describe('S7: one-click unsubscribe (RFC 8058)', () => {
    let reader: { id: string; email: string };
    let mail: ReceivedMail;

    beforeAll(async () => {
      reader = await aReaderRow(app.prisma, { status: 'confirmed', tags: ['oneclick'] });
      await app.prisma.article.create({ data: { id: 'one-click-story', title: 'A story', url: 'https://news.example.com/1', tags: ['oneclick'], publishedAt: new Date() } });
      const alert = await sendRaw(app, { method: 'POST', path: '/alerts', headers: { ...editorAuth, ...JSON_TYPE }, body: JSON.stringify({ articleId: 'one-click-story' }) });
      expect(alert.status).toBe(202);
      mail = await mailTo(reader.email);
    });

    /** The path of the List-Unsubscribe URL the email carries, as a mail provider would read it. */
    function listUnsubscribePath(): string {
      expect(headerValue(mail, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
      const url = /^<([^>]+)>$/.exec(headerValue(mail, 'List-Unsubscribe') ?? '')?.[1];
      expect(url).toBeDefined();
      const parsed = new URL(url as string);
      expect(parsed.origin).toBe(app.url);
      return `${parsed.pathname}${parsed.search}`;
    }

    it('never unsubscribes on GET or HEAD, however often a scanner follows the link', async () => {
      const path = listUnsubscribePath();
      for (let visit = 0; visit < 3; visit++) {
        const page = await sendRaw(app, { path, headers: BROWSER_ACCEPT });
        expect(page.status).toBe(200);
        expect(page.text).toContain('<form method="post"');
      }
      expect((await sendRaw(app, { method: 'HEAD', path })).status).toBeLessThan(500);
      expect(await statusOf(reader)).toBe('confirmed');
    });

    it('unsubscribes on a cookie-less urlencoded one-click POST and answers 200 again on the retry, never a redirect', async () => {
      const path = listUnsubscribePath();
      const first = await sendRaw(app, { method: 'POST', path, headers: FORM_TYPE, body: 'List-Unsubscribe=One-Click' });
      const second = await sendRaw(app, { method: 'POST', path, headers: FORM_TYPE, body: 'List-Unsubscribe=One-Click' });

      for (const answer of [first, second]) {
        expect(answer.status).toBe(200);
        expect(answer.headers.location).toBeUndefined();
        expect(answer.headers['set-cookie']).toBeUndefined();
      }
      expect(await statusOf(reader)).toBe('unsubscribed');
    });

    it('accepts the one-click POST as multipart/form-data too, twice', async () => {
      const another = await aReaderRow(app.prisma, { status: 'confirmed', tags: ['news'] });
      const path = `/unsubscribe?token=${tokenFor(app, 'unsubscribe', another)}`;
      const boundary = '----dispatch-one-click';
      const body = `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`;
      const headers = { 'content-type': `multipart/form-data; boundary=${boundary}` };

      const first = await sendRaw(app, { method: 'POST', path, headers, body });
      const second = await sendRaw(app, { method: 'POST', path, headers, body });

      expect([first.status, second.status]).toEqual([200, 200]);
      expect(first.headers.location).toBeUndefined();
      expect(await statusOf(another)).toBe('unsubscribed');
    });

    it('accepts a one-click POST with no body or an unexpected content type', async () => {
      const another = await aReaderRow(app.prisma, { status: 'confirmed', tags: ['news'] });
      const path = `/unsubscribe?token=${tokenFor(app, 'unsubscribe', another)}`;
      const answer = await sendRaw(app, { method: 'POST', path, headers: { 'content-type': 'text/plain' }, body: 'List-Unsubscribe=One-Click' });
      expect(answer.status).toBe(200);
      expect(await statusOf(another)).toBe('unsubscribed');
    });

    it('sends nothing more to the reader once unsubscribed', async () => {
      await app.prisma.article.create({ data: { id: 'after-one-click', title: 'Later', url: 'https://news.example.com/2', tags: ['oneclick'], publishedAt: new Date() } });
      const alert = await sendRaw(app, { method: 'POST', path: '/alerts', headers: { ...editorAuth, ...JSON_TYPE }, body: JSON.stringify({ articleId: 'after-one-click' }) });
      expect(alert.status).toBe(202);
      expect(JSON.parse(alert.text)).toMatchObject({ recipients: 0 });
      await eventually(async () => ((await app.prisma.delivery.count({ where: { status: { in: ['queued', 'sending'] } } })) === 0 ? true : undefined));
      expect(app.smtp.messages.filter((received) => received.envelope.to.includes(reader.email))).toHaveLength(1);
    });
  });

  function mailTo(address: string): Promise<ReceivedMail> {
    return eventually(async () => app.smtp.messages.find((received) => received.envelope.to.includes(address)), 60_000);
  }

  function linkIn(received: ReceivedMail, path: string): string {
    const found = new RegExp(`${app.url.replace(/[.:/]/g, '\\$&')}${path}\\?token=[A-Za-z0-9_-]+`).exec(received.text ?? '');
    if (!found) throw new Error(`no ${path} link in "${received.subject}"`);
    return found[0].slice(app.url.length);
  }
});
