import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { generateVAPIDKeys } from 'web-push';
import { CreateAlert } from '../../../src/alerts/create-alert';
import { ScheduledAlerts } from '../../../src/alerts/scheduled-alerts';
import { messageHost } from '../../../src/mail/message-host';
import { eventually, startTestApp, TestApp } from '../../support/app';
import { MovableClock } from '../../support/clock';
import { assertCleanLedger, checkLedger, deliveryRows, emailsTo, Ledger, LedgerReceived } from '../../support/ledger';
import { ledgerAddress, loopbackPushEnv, pushesTo, TestBrowser, TestPushService } from '../../support/push-service';
import { aReader, alertFinished, alertStatus, anArticle, editor, mailsOf, postAlert, someReaders } from './alert-fixtures';

jest.setTimeout(120_000);

// Issue 15, "Alert options": channels, test sends, scheduling, cancel — each with
// its bad input, each ending with the ledger (emails and pushes) where anything went out.

const STAFF = ['desk@staff.test', 'night@staff.test'];
const MINUTE = 60_000;

describe('Alert options: channels, test, sendAt, cancel', () => {
  const vapid = generateVAPIDKeys();
  const clock = new MovableClock();
  let push: TestPushService;
  let sut: TestApp;

  beforeAll(async () => {
    push = await TestPushService.start(vapid.publicKey);
    sut = await startTestApp({
      clock,
      pushAgent: push.agent,
      env: {
        ...loopbackPushEnv(vapid),
        ALERT_TEST_RECIPIENTS: STAFF.join(','),
      },
    });
    await eventually(async () => ((await fetch(`${sut.url}/health`)).status === 200 ? true : undefined), 45_000, 250);
  }, 60_000);

  afterEach(() => clock.reset());

  afterAll(async () => {
    await sut?.close();
    await push?.close();
  });

  /** Two whole rounds of the scheduler, as its timer would run them: the second surely began after the test's last step. */
  async function schedulerRounds(): Promise<void> {
    const scheduler = sut.app.get(ScheduledAlerts);
    await scheduler.tick();
    await scheduler.tick();
  }

  const aBrowser = async (tags: string[], staff = false): Promise<TestBrowser> => {
    const browser = push.browser();
    const res = await request(sut.url)
      .post('/push/subscriptions')
      .set(staff ? editor : {})
      .send({ subscription: browser.subscription, tags, ...(staff ? { staff: true } : {}) })
      .expect(201);
    browser.subscriptionId = res.body.id;
    return browser;
  };

  /** What arrived for one alert, by email and by push, as the ledger reads it. */
  const receivedFor = (alertId: string): LedgerReceived[] => [...mailsOf(sut.smtp.messages, alertId), ...push.ledgerReceived(alertId, messageHost(sut.config))];

  const assertLedger = async (ledger: Ledger, alertId: string) =>
    assertCleanLedger(checkLedger({ ...ledger.expectation(), received: receivedFor(alertId), rows: await deliveryRows(sut.prisma), connectionsInUse: sut.config.smtp.poolSize }));

  const counts = async () => ({ alerts: await sut.prisma.alert.count(), deliveries: await sut.prisma.delivery.count() });

  describe('channels', () => {
    it('["push"] sends pushes and no email; ["email"] emails and no push', async () => {
      const reader = await aReader(sut.prisma, { tags: ['opt-channels'] });
      const browser = await aBrowser(['opt-channels']);
      const pushOnly = await anArticle(sut.prisma, { tags: ['opt-channels'] });
      const emailOnly = await anArticle(sut.prisma, { tags: ['opt-channels'] });

      const byPush = await postAlert(sut, { articleId: pushOnly.id, channels: ['push'] }).expect(202);
      const byEmail = await postAlert(sut, { articleId: emailOnly.id, channels: ['email'] }).expect(202);
      const pushReport = await alertFinished(sut, byPush.body.alertId);
      const emailReport = await alertFinished(sut, byEmail.body.alertId);

      expect(byPush.body.recipients).toBe(1);
      expect(pushReport).toMatchObject({ requestedChannels: ['push'], recipients: 1, sent: 1, channels: { email: { recipients: 0, sent: 0 }, push: { recipients: 1, sent: 1 } } });
      expect(emailReport).toMatchObject({ requestedChannels: ['email'], recipients: 1, sent: 1, channels: { email: { recipients: 1, sent: 1 }, push: { recipients: 0, sent: 0 } } });
      await assertLedger(new Ledger().expect(pushesTo([browser], byPush.body.alertId)).forbid([reader], 'the alert was push only'), byPush.body.alertId);
      await assertLedger(new Ledger().expect(emailsTo([reader], 'alert', byEmail.body.alertId)).forbid([ledgerAddress(browser)], 'the alert was email only'), byEmail.body.alertId);
      expect(await sut.prisma.delivery.count({ where: { alertId: byPush.body.alertId, kind: 'alert' } })).toBe(0);
      expect(await sut.prisma.delivery.count({ where: { alertId: byEmail.body.alertId, kind: 'push' } })).toBe(0);
    });

    it('records a minor alert as minor and sends its push with normal urgency', async () => {
      const browser = await aBrowser(['opt-minor']);
      const article = await anArticle(sut.prisma, { tags: ['opt-minor'] });

      const { body } = await postAlert(sut, { articleId: article.id, priority: 'minor', channels: ['push'] }).expect(202);

      expect(await alertFinished(sut, body.alertId)).toMatchObject({ priority: 'minor', sent: 1 });
      expect(push.pushesTo(browser).map((received) => received.headers.urgency)).toEqual(['normal']);
    });
  });

  describe('test: true', () => {
    it('goes only to the staff addresses and staff browsers, marked [TEST], and the real alert can follow', async () => {
      const readers = await someReaders(sut.prisma, 3, () => ({ tags: ['opt-test'] }));
      // One staff address is also a reader, of other tags; the other has no subscriber row yet.
      await aReader(sut.prisma, { email: STAFF[0], tags: ['opt-elsewhere'] });
      const [fan, staffBrowser] = [await aBrowser(['opt-test']), await aBrowser(['opt-nothing'], true)];
      const article = await anArticle(sut.prisma, { tags: ['opt-test'] });

      const test = await postAlert(sut, { articleId: article.id, test: true }).expect(202);
      const report = await alertFinished(sut, test.body.alertId);

      expect(test.body.recipients).toBe(3);
      expect(report).toMatchObject({ test: true, sent: 3, channels: { email: { sent: 2 }, push: { sent: 1 } } });
      await assertLedger(
        new Ledger().expect(emailsTo(STAFF.map((email) => ({ email })), 'alert', test.body.alertId)).expect(pushesTo([staffBrowser], test.body.alertId)).forbid(readers, 'a test never goes to readers').forbid([ledgerAddress(fan)], 'a reader’s browser'),
        test.body.alertId,
      );
      for (const mail of mailsOf(sut.smtp.messages, test.body.alertId)) expect(mail.subject).toMatch(/^\[TEST\] Breaking: /);
      expect(push.pushesTo(staffBrowser)[0].payload).toMatchObject({ title: expect.stringMatching(/^\[TEST\] /) });
      expect(await sut.prisma.subscriber.findUniqueOrThrow({ where: { email: STAFF[1] } })).toMatchObject({ status: 'pending', tags: [] });

      // Another test is another alert; the real one is the article's first, to readers only.
      const again = await postAlert(sut, { articleId: article.id, test: true, channels: ['email'] }).expect(202);
      const real = await postAlert(sut, { articleId: article.id }).expect(202);
      await alertFinished(sut, again.body.alertId);
      await alertFinished(sut, real.body.alertId);

      expect(again.body.alertId).not.toBe(test.body.alertId);
      expect(real.body.alertId).not.toBe(test.body.alertId);
      expect(await sut.prisma.alert.findUniqueOrThrow({ where: { id: real.body.alertId } })).toMatchObject({ test: false, sequence: 0 });
      await assertLedger(new Ledger().expect(emailsTo(readers, 'alert', real.body.alertId)).expect(pushesTo([fan], real.body.alertId)).forbid(STAFF, 'staff read other tags'), real.body.alertId);
      for (const mail of mailsOf(sut.smtp.messages, real.body.alertId)) expect(mail.subject).toMatch(/^Breaking: /);
      // And the real alert is now the article's: a plain repeat returns it.
      expect((await postAlert(sut, { articleId: article.id }).expect(202)).body.alertId).toBe(real.body.alertId);
    });
  });

  describe('sendAt', () => {
    it.each([
      ['in the past', () => new Date(clock.now().getTime() - MINUTE), 'sendAt: must be in the future'],
      ['more than 7 days ahead', () => new Date(clock.now().getTime() + 7 * 24 * 60 * MINUTE + MINUTE), 'sendAt: must be at most 7 days ahead'],
    ])('refuses a sendAt %s with 400, storing nothing, not even an inline article', async (_case, sendAt, message) => {
      const article = await anArticle(sut.prisma, { tags: ['opt-bad-time'] });
      const inline = { id: `inline-${Date.now()}`, title: 'Later', url: 'https://news.example.com/later', tags: ['opt-bad-time'], publishedAt: new Date().toISOString() };
      const before = await counts();

      const byId = await postAlert(sut, { articleId: article.id, sendAt: sendAt().toISOString() });
      const byBody = await postAlert(sut, { article: inline, sendAt: sendAt().toISOString() });

      for (const res of [byId, byBody]) expect(res.status === 400 && res.body.message).toMatch(new RegExp(`^${message}`));
      expect(await counts()).toEqual(before);
      expect(await sut.prisma.article.findUnique({ where: { id: inline.id } })).toBeNull();
    });

    it('keeps an alert scheduled, queueing nothing, then sends it within 30 s of its time', async () => {
      const readers = await someReaders(sut.prisma, 2, () => ({ tags: ['opt-later'] }));
      const browser = await aBrowser(['opt-later']);
      const article = await anArticle(sut.prisma, { tags: ['opt-later'] });
      const sendAt = new Date(clock.now().getTime() + 10 * MINUTE);

      const { body } = await postAlert(sut, { articleId: article.id, sendAt: sendAt.toISOString() }).expect(202);

      expect(body.recipients).toBe(3);
      const scheduled = await alertStatus(sut, body.alertId).expect(200);
      expect(scheduled.body).toMatchObject({ status: 'scheduled', sendAt: sendAt.toISOString(), recipients: 3, sent: 0, channels: { email: { recipients: 2 }, push: { recipients: 1 } } });
      await schedulerRounds();
      expect(await sut.prisma.delivery.count({ where: { alertId: body.alertId } })).toBe(0);

      clock.advance(10 * MINUTE);
      const due = Date.now();
      await eventually(async () => (mailsOf(sut.smtp.messages, body.alertId).length === 2 && push.pushesTo(browser).length === 1 ? true : undefined), 30_000, 100);

      expect(Date.now() - due).toBeLessThan(30_000);
      expect(await alertFinished(sut, body.alertId)).toMatchObject({ status: 'sent', recipients: 3, sent: 3 });
      await assertLedger(new Ledger().expect(emailsTo(readers, 'alert', body.alertId)).expect(pushesTo([browser], body.alertId)), body.alertId);
    });

    it('is cancelled as missed, sending nothing, when found more than an hour after its time', async () => {
      const readers = await someReaders(sut.prisma, 2, () => ({ tags: ['opt-missed'] }));
      const article = await anArticle(sut.prisma, { tags: ['opt-missed'] });
      const { body } = await postAlert(sut, { articleId: article.id, sendAt: new Date(clock.now().getTime() + MINUTE).toISOString() }).expect(202);

      // As if the service had been down from before its time until more than an hour after it.
      clock.advance(62 * MINUTE);
      const missed = await eventually(async () => {
        const res = await alertStatus(sut, body.alertId);
        return res.body.status === 'cancelled' ? res.body : undefined;
      }, 20_000);

      expect(missed).toMatchObject({ status: 'cancelled', cancelReason: 'missed', sent: 0, recipients: 0 });
      expect(await sut.prisma.delivery.count({ where: { alertId: body.alertId } })).toBe(0);
      await assertLedger(new Ledger().forbid(readers, 'the alert was missed'), body.alertId);
    });
  });

  describe('DELETE /alerts/:id', () => {
    it('cancels a scheduled alert entirely: nothing goes, even after its time; a second cancel answers the same', async () => {
      const readers = await someReaders(sut.prisma, 2, () => ({ tags: ['opt-cancel-later'] }));
      const browser = await aBrowser(['opt-cancel-later']);
      const article = await anArticle(sut.prisma, { tags: ['opt-cancel-later'] });
      const { body } = await postAlert(sut, { articleId: article.id, sendAt: new Date(clock.now().getTime() + 2 * MINUTE).toISOString() }).expect(202);

      const cancelled = await request(sut.url).delete(`/alerts/${body.alertId}`).set(editor).expect(200);
      const again = await request(sut.url).delete(`/alerts/${body.alertId}`).set(editor).expect(200);
      clock.advance(3 * MINUTE);
      await schedulerRounds();

      expect(cancelled.body).toEqual({ alertId: body.alertId, status: 'cancelled', sent: 0 });
      expect(again.body).toEqual(cancelled.body);
      expect((await alertStatus(sut, body.alertId).expect(200)).body).toMatchObject({ status: 'cancelled', cancelReason: 'editor', sent: 0 });
      expect(await sut.prisma.delivery.count({ where: { alertId: body.alertId } })).toBe(0);
      await assertLedger(new Ledger().forbid(readers, 'cancelled before its time').forbid([ledgerAddress(browser)], 'cancelled before its time'), body.alertId);
      // A redelivered breaking event does not bring it back; an editor can send a new one.
      await sut.app.get(CreateAlert).ensureBreakingAlert(article.id);
      expect(await sut.prisma.alert.count({ where: { articleId: article.id } })).toBe(1);
      const next = await postAlert(sut, { articleId: article.id, channels: ['email'] }).expect(202);
      expect(next.body.alertId).not.toBe(body.alertId);
      await alertFinished(sut, next.body.alertId);
    });

    it('stops a sending alert from that moment: what had not gone out never goes', async () => {
      const readers = await someReaders(sut.prisma, 300, () => ({ tags: ['opt-cancel-now'] }));
      const article = await anArticle(sut.prisma, { tags: ['opt-cancel-now'] });
      sut.smtp.delay(40);
      try {
        const { body } = await postAlert(sut, { articleId: article.id, channels: ['email'] }).expect(202);
        await eventually(async () => (mailsOf(sut.smtp.messages, body.alertId).length >= 20 ? true : undefined), 30_000, 20);

        const cancelled = await request(sut.url).delete(`/alerts/${body.alertId}`).set(editor).expect(200);
        const atCancel = mailsOf(sut.smtp.messages, body.alertId).length;
        await sleep(3_000);

        const received = mailsOf(sut.smtp.messages, body.alertId);
        // Only what was already past its last check may still arrive: at most one per sender (4 per SMTP connection).
        expect(received.length - atCancel).toBeLessThanOrEqual(sut.config.smtp.poolSize * 4);
        expect(received.length).toBeLessThan(readers.length);
        expect(cancelled.body).toMatchObject({ alertId: body.alertId, status: 'cancelled' });
        expect(cancelled.body.sent).toBeLessThanOrEqual(received.length);
        const rows = await sut.prisma.delivery.groupBy({ by: ['status'], where: { alertId: body.alertId }, _count: { _all: true } });
        const byStatus = Object.fromEntries(rows.map((row) => [row.status, row._count._all]));
        expect(byStatus.sent).toBe(received.length);
        expect(byStatus.queued ?? 0).toBe(0);
        expect(byStatus.sending ?? 0).toBe(0);
        expect(byStatus.skipped).toBe(readers.length - received.length);
        const report = (await alertStatus(sut, body.alertId).expect(200)).body;
        expect(report).toMatchObject({ status: 'cancelled', cancelReason: 'editor', sent: received.length });
        // Every email that went is one a reader was due; none went twice.
        const ledger = new Ledger().expect(emailsTo(readers.filter((reader) => received.some((mail) => mail.envelope.to.includes(reader.email))), 'alert', body.alertId));
        await assertLedger(ledger, body.alertId);
      } finally {
        sut.smtp.delay(0);
      }
    });

    it('is 409 for an alert already sent in full, 404 for an unknown one and 400 for a malformed id', async () => {
      await aReader(sut.prisma, { tags: ['opt-cancel-sent'] });
      const article = await anArticle(sut.prisma, { tags: ['opt-cancel-sent'] });
      const { body } = await postAlert(sut, { articleId: article.id }).expect(202);
      await alertFinished(sut, body.alertId);

      const sent = await request(sut.url).delete(`/alerts/${body.alertId}`).set(editor);
      const unknown = await request(sut.url).delete('/alerts/00000000-0000-4000-8000-000000000000').set(editor);
      const malformed = await request(sut.url).delete('/alerts/42').set(editor);
      const anonymous = await request(sut.url).delete(`/alerts/${body.alertId}`);

      expect(sent.status).toBe(409);
      expect(sent.body.message).toMatch(/already been sent/);
      expect(unknown.status).toBe(404);
      expect(malformed.status).toBe(400);
      expect(anonymous.status).toBe(401);
      expect((await alertStatus(sut, body.alertId).expect(200)).body.status).toBe('sent');
    });
  });
});
