import request from 'supertest';
import { startTestApp, TestApp } from '../../support/app';
import { MovableClock } from '../subscriptions/reader';
import { asEditor } from '../editor/editor-fixtures';
import { aDsn, anAlertSent, anArf, BOUNCE_DOMAIN, isSuppressed, listenerPort, metric, sendToListener } from './feedback-fixtures';

jest.setTimeout(90_000);

const DAY = 24 * 60 * 60 * 1000;

/**
 * The bounce listener on real SMTP, with reports written as MTAs and feedback loops write
 * them, addressed to the envelope sender of an email the service really sent.
 */
describe('Bounce listener (BOUNCE_SMTP_PORT)', () => {
  let sut: TestApp;
  let port: number;
  const clock = new MovableClock();

  beforeAll(async () => {
    sut = await startTestApp({
      clock,
      env: { BOUNCE_SMTP_PORT: '0', BOUNCE_SMTP_HOST: '127.0.0.1', BOUNCE_DOMAIN, BOUNCE_MAX_MESSAGE_BYTES: '50000', SOFT_BOUNCE_LIMIT: '3', SOFT_BOUNCE_DAYS: '3' },
    });
    port = listenerPort(sut);
  }, 60_000);

  afterAll(() => sut.close());

  describe('reports it reads', () => {
    it('a DSN with 5.x.x suppresses the address at once, marks the delivery bounced and counts it', async () => {
      const sent = await anAlertSent(sut);
      const before = await metric(sut, 'dispatch_bounces_total', { type: 'hard', source: 'smtp' });

      const answer = await sendToListener(port, [sent.mail.envelope.from], aDsn({ to: sent.mail.envelope.from, finalRecipient: sent.reader.email, status: '5.1.1' }));

      expect(answer.accepted).toBe(true);
      expect(await isSuppressed(sut, sent.reader.email)).toBe(true);
      expect(await sut.prisma.delivery.findUniqueOrThrow({ where: { id: sent.deliveryId } })).toMatchObject({ feedback: 'bounced', feedbackAt: expect.any(Date) });
      expect(await metric(sut, 'dispatch_bounces_total', { type: 'hard', source: 'smtp' })).toBe(before + 1);
      const status = await request(sut.url).get(`/alerts/${sent.alertId}`).set(asEditor).expect(200);
      expect(status.body).toMatchObject({ bounced: 1, complained: 0 });
    });

    it('takes the reference in any letter case', async () => {
      const sent = await anAlertSent(sut);
      const shouted = sent.mail.envelope.from.toUpperCase();

      await sendToListener(port, [shouted], aDsn({ to: shouted, finalRecipient: sent.reader.email, status: '5.1.1' }));

      expect(await isSuppressed(sut, sent.reader.email)).toBe(true);
    });

    it('the same DSN twice has one effect', async () => {
      const sent = await anAlertSent(sut);
      const dsn = aDsn({ to: sent.mail.envelope.from, finalRecipient: sent.reader.email, status: '5.1.1', reportId: 'twice' });
      const before = await metric(sut, 'dispatch_bounces_total', { type: 'hard', source: 'smtp' });

      expect((await sendToListener(port, [sent.mail.envelope.from], dsn)).accepted).toBe(true);
      expect((await sendToListener(port, [sent.mail.envelope.from], dsn)).accepted).toBe(true);

      expect(await metric(sut, 'dispatch_bounces_total', { type: 'hard', source: 'smtp' })).toBe(before + 1);
      expect(await sut.prisma.feedbackEvent.count({ where: { deliveryId: sent.deliveryId } })).toBe(1);
    });

    it('an ARF complaint suppresses the address, unsubscribes the reader and marks the delivery complained', async () => {
      const sent = await anAlertSent(sut);
      const before = await metric(sut, 'dispatch_complaints_total', { kind: 'alert', source: 'smtp' });

      const answer = await sendToListener(
        port,
        [sent.mail.envelope.from],
        anArf({ to: sent.mail.envelope.from, originalMailFrom: sent.mail.envelope.from, originalRcptTo: sent.reader.email }),
      );

      expect(answer.accepted).toBe(true);
      expect(await isSuppressed(sut, sent.reader.email)).toBe(true);
      expect(await sut.prisma.subscriber.findUniqueOrThrow({ where: { id: sent.reader.id } })).toMatchObject({ status: 'unsubscribed' });
      expect(await sut.prisma.delivery.findUniqueOrThrow({ where: { id: sent.deliveryId } })).toMatchObject({ feedback: 'complained' });
      expect(await metric(sut, 'dispatch_complaints_total', { kind: 'alert', source: 'smtp' })).toBe(before + 1);
      const status = await request(sut.url).get(`/alerts/${sent.alertId}`).set(asEditor).expect(200);
      expect(status.body).toMatchObject({ bounced: 0, complained: 1 });
    });

    it('a complaint outranks a bounce on the delivery, and a later bounce does not take its place', async () => {
      const sent = await anAlertSent(sut);
      const from = sent.mail.envelope.from;
      const feedbackOf = async () => (await sut.prisma.delivery.findUniqueOrThrow({ where: { id: sent.deliveryId } })).feedback;

      await sendToListener(port, [from], aDsn({ to: from, finalRecipient: sent.reader.email, status: '5.1.1' }));
      expect(await feedbackOf()).toBe('bounced');
      await sendToListener(port, [from], anArf({ to: from, originalMailFrom: from, originalRcptTo: sent.reader.email }));
      expect(await feedbackOf()).toBe('complained');
      await sendToListener(port, [from], aDsn({ to: from, finalRecipient: sent.reader.email, status: '5.2.1' }));
      expect(await feedbackOf()).toBe('complained');
    });

    it('an ARF report sent to postmaster@ finds the email by the envelope sender it quotes', async () => {
      const sent = await anAlertSent(sut);

      const answer = await sendToListener(
        port,
        [`postmaster@${BOUNCE_DOMAIN}`],
        anArf({ to: `postmaster@${BOUNCE_DOMAIN}`, originalMailFrom: sent.mail.envelope.from, originalRcptTo: sent.reader.email }),
      );

      expect(answer.accepted).toBe(true);
      expect(await sut.prisma.subscriber.findUniqueOrThrow({ where: { id: sent.reader.id } })).toMatchObject({ status: 'unsubscribed' });
    });

    it('reads a DSN one of whose parts has a Content-Type without a type (it used to be answered 451, again and again)', async () => {
      const sent = await anAlertSent(sut);
      const dsn = aDsn({ to: sent.mail.envelope.from, finalRecipient: sent.reader.email, status: '5.1.1' }).replace('Content-Type: text/rfc822-headers', 'Content-Type: ;text/rfc822-headers');

      expect(await sendToListener(port, [sent.mail.envelope.from], dsn)).toMatchObject({ accepted: true });

      expect(await isSuppressed(sut, sent.reader.email)).toBe(true);
    });

    it('a non-standard bounce text with an enhanced status code counts as a hard bounce', async () => {
      const sent = await anAlertSent(sut);
      const plain = `From: postmaster@old-isp.test\r\nTo: ${sent.mail.envelope.from}\r\nSubject: failure notice\r\n\r\nSorry, we were unable to deliver your message to the following address.\r\n\r\n<${sent.reader.email}>:\r\n550 5.1.1 mailbox unavailable\r\n`;

      expect((await sendToListener(port, [sent.mail.envelope.from], plain)).accepted).toBe(true);

      expect(await isSuppressed(sut, sent.reader.email)).toBe(true);
    });

    it('soft bounces suppress only after several in a row over at least three days', async () => {
      const first = await anAlertSent(sut);
      const reader = first.reader;
      const softBounce = async (daysLater: number) => {
        const sent = daysLater === 0 ? first : await anAlertSent(sut, reader);
        clock.reset();
        clock.advance(daysLater * DAY);
        await sendToListener(port, [sent.mail.envelope.from], aDsn({ to: sent.mail.envelope.from, finalRecipient: reader.email, status: '4.2.2' }));
      };
      try {
        await softBounce(0);
        await softBounce(1);
        await softBounce(2);
        expect(await isSuppressed(sut, reader.email)).toBe(false);
        await softBounce(3);
        expect(await isSuppressed(sut, reader.email)).toBe(true);
      } finally {
        clock.reset();
      }
    });

    it('a burst of soft bounces on one day suppresses nothing', async () => {
      const first = await anAlertSent(sut);
      for (const sent of [first, await anAlertSent(sut, first.reader), await anAlertSent(sut, first.reader), await anAlertSent(sut, first.reader)]) {
        await sendToListener(port, [sent.mail.envelope.from], aDsn({ to: sent.mail.envelope.from, finalRecipient: first.reader.email, status: '4.2.2' }));
      }
      expect(await isSuppressed(sut, first.reader.email)).toBe(false);
    });
  });

  describe('bad input (S12): no effect beyond a counted rejection, never a crash', () => {
    it('a tampered reference names nothing, and nothing falls back to the recipient or Message-ID', async () => {
      const sent = await anAlertSent(sut);
      const tampered = sent.mail.envelope.from.replace(/-([a-z2-7])/, (_m, c: string) => `-${c === 'a' ? 'b' : 'a'}`);
      const before = await metric(sut, 'dispatch_feedback_rejected_total', { source: 'smtp', reason: 'bad reference' });

      const answer = await sendToListener(
        port,
        [tampered],
        aDsn({ to: tampered, finalRecipient: sent.reader.email, status: '5.1.1', quotedHeaders: `Message-ID: ${sent.mail.messageId}\r\nTo: ${sent.reader.email}` }),
      );

      expect(answer.accepted).toBe(true);
      expect(await isSuppressed(sut, sent.reader.email)).toBe(false);
      expect(await metric(sut, 'dispatch_feedback_rejected_total', { source: 'smtp', reason: 'bad reference' })).toBe(before + 1);
    });

    it('a DSN about another reader, under a real reference, changes nothing for either', async () => {
      const mine = await anAlertSent(sut);
      const theirs = await anAlertSent(sut);
      const before = await metric(sut, 'dispatch_feedback_rejected_total', { source: 'smtp', reason: 'recipient mismatch' });

      await sendToListener(port, [mine.mail.envelope.from], aDsn({ to: mine.mail.envelope.from, finalRecipient: theirs.reader.email, status: '5.1.1' }));

      expect(await isSuppressed(sut, mine.reader.email)).toBe(false);
      expect(await isSuppressed(sut, theirs.reader.email)).toBe(false);
      expect(await metric(sut, 'dispatch_feedback_rejected_total', { source: 'smtp', reason: 'recipient mismatch' })).toBe(before + 1);
    });

    it('refuses every other recipient with 550: it never relays', async () => {
      for (const to of ['reader@readers.test', `bounces@${BOUNCE_DOMAIN}`, `someone@${BOUNCE_DOMAIN}`, 'bounces+abc-def@elsewhere.test', 'postmaster@elsewhere.test']) {
        const answer = await sendToListener(port, [to], 'Subject: relay me\r\n\r\nplease\r\n');
        expect(answer).toMatchObject({ accepted: false, code: 550 });
      }
    });

    it('refuses an oversized report with 552 and keeps listening', async () => {
      const sent = await anAlertSent(sut);
      const huge = aDsn({ to: sent.mail.envelope.from, finalRecipient: sent.reader.email, status: '5.1.1' }) + `${'x'.repeat(998)}\r\n`.repeat(60);

      const answer = await sendToListener(port, [sent.mail.envelope.from], huge);

      expect(answer).toMatchObject({ accepted: false, code: 552 });
      expect(await isSuppressed(sut, sent.reader.email)).toBe(false);
    });

    it('accepts garbage, malformed reports and auto-replies, counts each as unparseable, and keeps working', async () => {
      const sent = await anAlertSent(sut);
      const to = sent.mail.envelope.from;
      const before = await metric(sut, 'dispatch_bounce_reports_total', { outcome: 'unparseable' });
      const garbage = [
        Buffer.from([0, 1, 2, 255, 254, 13, 10, 46, 46, 13, 10, 0x80, 0x81]),
        'Content-Type: multipart/report; report-type=delivery-status; boundary="x"\r\n\r\n--x\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; x\r\n\r\n--x--\r\n',
        'Content-Type: multipart/report; report-type=feedback-report; boundary="y"\r\n\r\n--y\r\nContent-Type: message/feedback-report\r\n\r\nUser-Agent: nobody\r\n\r\n--y--\r\n',
        'Content-Type: multipart/report; boundary="unterminated"\r\n\r\n--unterminated\r\nContent-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\n',
        'Subject: Out of office\r\n\r\nI am away until Monday.\r\n',
      ];

      for (const raw of garbage) expect((await sendToListener(port, [to], raw)).accepted).toBe(true);

      expect(await metric(sut, 'dispatch_bounce_reports_total', { outcome: 'unparseable' })).toBe(before + garbage.length);
      expect(await isSuppressed(sut, sent.reader.email)).toBe(false);
      await sendToListener(port, [to], aDsn({ to, finalRecipient: sent.reader.email, status: '5.1.1' }));
      expect(await isSuppressed(sut, sent.reader.email)).toBe(true);
    });
  });
});

describe('Bounce listener rate limit (BOUNCE_MAX_SESSIONS_PER_MINUTE)', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({ env: { BOUNCE_SMTP_PORT: '0', BOUNCE_SMTP_HOST: '127.0.0.1', BOUNCE_DOMAIN, BOUNCE_MAX_SESSIONS_PER_MINUTE: '2' } });
  }, 60_000);

  afterAll(() => sut.close());

  it('tells a client past its sessions per minute to come back later (421), and counts it', async () => {
    const port = listenerPort(sut);
    const to = `postmaster@${BOUNCE_DOMAIN}`;
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await sendToListener(port, [to], 'Subject: hi\r\n\r\nhello\r\n').catch((error: Error) => ({ accepted: false, response: error.message })));

    expect(answers.slice(0, 2).map((answer) => answer.accepted)).toEqual([true, true]);
    expect(answers[2]).toMatchObject({ accepted: false });
    expect(await metric(sut, 'dispatch_feedback_rejected_total', { source: 'smtp', reason: 'rate limited' })).toBe(1);
  });
});
