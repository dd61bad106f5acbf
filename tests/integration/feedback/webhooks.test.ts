import { globalAgent } from 'node:https';
import request from 'supertest';
import { startTestApp, TestApp } from '../../support/app';
import { anAlertSent, isSuppressed, metric } from './feedback-fixtures';
import { FakeSns, mailgunSignature, SendgridSigner } from './relay-signers';

jest.setTimeout(90_000);

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:dispatch-ses-feedback';
const MAILGUN_KEY = 'key-mailgun-webhook-signing-0123456789';
const POSTMARK = { user: 'postmark-hook', password: 'a-long-postmark-password' };

/**
 * The relays' webhooks, fed payloads built and signed as each relay does, with keys this test
 * made: a certificate served from a loopback "SNS", an ECDSA key pair, an HMAC key, basic auth.
 */
describe('Relay webhooks', () => {
  let sut: TestApp;
  let sns: FakeSns;
  const sendgrid = new SendgridSigner();
  const previousCa = globalAgent.options.ca;

  beforeAll(async () => {
    sns = await FakeSns.start();
    // sns-validator fetches the certificate with Node's https defaults: trust the fake SNS's certificate for that.
    globalAgent.options.ca = [sns.certPem];
    sut = await startTestApp({
      snsHosts: /^127\.0\.0\.1:\d+$/,
      env: {
        SES_SNS_TOPIC_ARNS: TOPIC,
        SENDGRID_WEBHOOK_PUBLIC_KEY: sendgrid.publicKey,
        MAILGUN_WEBHOOK_SIGNING_KEY: MAILGUN_KEY,
        POSTMARK_WEBHOOK_USER: POSTMARK.user,
        POSTMARK_WEBHOOK_PASSWORD: POSTMARK.password,
      },
    });
  }, 60_000);

  afterAll(async () => {
    globalAgent.options.ca = previousCa;
    await sut.close();
    await sns.close();
  });

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    request(sut.url).post(path).set({ 'content-type': 'application/json', ...headers }).send(body);

  describe('SES through SNS', () => {
    const sesBounce = (messageId: string, recipient: string, bounceType = 'Permanent', status = '5.1.1') =>
      JSON.stringify({
        notificationType: 'Bounce',
        bounce: { bounceType, bounceSubType: 'General', bouncedRecipients: [{ emailAddress: recipient, status, action: 'failed' }], feedbackId: 'f-1' },
        mail: { messageId: '0100018c-ses-own-id', source: 'bounces+x@dispatch.test', headers: [{ name: 'Message-ID', value: messageId }], commonHeaders: { messageId: '<ses-rewritten@email.amazonses.com>' } },
      });

    it('confirms its subscription by visiting SubscribeURL on the SNS host', async () => {
      const message = sns.message(TOPIC, { Type: 'SubscriptionConfirmation', Message: 'You have chosen to subscribe…', Token: 'tok-42' });

      const res = await post('/webhooks/ses', JSON.stringify(message), { 'content-type': 'text/plain; charset=UTF-8' }).expect(200);

      expect(res.body).toEqual({ status: 'subscription confirmed' });
      expect(sns.confirmations).toEqual([expect.stringContaining('Token=tok-42')]);
    });

    it('a signed bounce suppresses the address; the same notification again has no second effect', async () => {
      const sent = await anAlertSent(sut);
      const message = JSON.stringify(sns.message(TOPIC, { Type: 'Notification', Message: sesBounce(sent.mail.messageId as string, sent.reader.email) }));
      const before = await metric(sut, 'dispatch_bounces_total', { type: 'hard', source: 'ses' });

      const first = await post('/webhooks/ses', message, { 'content-type': 'text/plain; charset=UTF-8' }).expect(200);
      const again = await post('/webhooks/ses', message, { 'content-type': 'text/plain; charset=UTF-8' }).expect(200);

      expect(first.body).toEqual({ received: 1, applied: 1 });
      expect(again.body).toEqual({ received: 1, applied: 0 });
      expect(await isSuppressed(sut, sent.reader.email)).toBe(true);
      expect(await metric(sut, 'dispatch_bounces_total', { type: 'hard', source: 'ses' })).toBe(before + 1);
    });

    it('a complaint signed with SignatureVersion 2 unsubscribes the reader', async () => {
      const sent = await anAlertSent(sut);
      const complaint = JSON.stringify({
        notificationType: 'Complaint',
        complaint: { complainedRecipients: [{ emailAddress: sent.reader.email }], complaintFeedbackType: 'abuse', feedbackId: 'c-1' },
        mail: { messageId: 'ses-id', headers: [{ name: 'Message-ID', value: sent.mail.messageId }] },
      });

      await post('/webhooks/ses', JSON.stringify(sns.message(TOPIC, { Type: 'Notification', Message: complaint }, '2'))).expect(200);

      expect(await sut.prisma.subscriber.findUniqueOrThrow({ where: { id: sent.reader.id } })).toMatchObject({ status: 'unsubscribed' });
    });

    it('refuses a forged signature, another topic and an altered message with 401, and changes nothing', async () => {
      const sent = await anAlertSent(sut);
      const genuine = sns.message(TOPIC, { Type: 'Notification', Message: sesBounce(sent.mail.messageId as string, sent.reader.email) });
      const altered = { ...genuine, Message: sesBounce(sent.mail.messageId as string, sent.reader.email, 'Permanent', '5.7.1') };
      const forged = { ...genuine, Signature: Buffer.from('x'.repeat(256)).toString('base64') };
      const otherTopic = sns.message('arn:aws:sns:eu-west-1:123456789012:somebody-else', { Type: 'Notification', Message: sesBounce(sent.mail.messageId as string, sent.reader.email) });
      const foreignCert = { ...genuine, SigningCertURL: 'https://attacker.example.com/cert.pem' };

      for (const message of [altered, forged, otherTopic, foreignCert]) await post('/webhooks/ses', JSON.stringify(message)).expect(401);

      expect(await isSuppressed(sut, sent.reader.email)).toBe(false);
    });

    it('an event about a message it never sent is counted and changes nothing', async () => {
      const before = await metric(sut, 'dispatch_feedback_rejected_total', { source: 'ses', reason: 'unknown message' });
      const message = sns.message(TOPIC, { Type: 'Notification', Message: sesBounce('<never-sent@dispatch.test>', 'nobody@readers.test') });

      const res = await post('/webhooks/ses', JSON.stringify(message)).expect(200);

      expect(res.body).toEqual({ received: 1, applied: 0 });
      expect(await metric(sut, 'dispatch_feedback_rejected_total', { source: 'ses', reason: 'unknown message' })).toBe(before + 1);
    });
  });

  describe('SendGrid (signed Event Webhook)', () => {
    const events = (messageId: string, email: string, eventId: string, event = 'bounce', status = '5.1.1') =>
      JSON.stringify([{ email, timestamp: 1733378400, 'smtp-id': messageId, event, status, type: 'bounce', reason: '550 5.1.1 unknown', sg_event_id: eventId, sg_message_id: 'sg.1' }]);

    it('a signed bounce suppresses; the same event again is one effect', async () => {
      const sent = await anAlertSent(sut);
      const payload = events(sent.mail.messageId as string, sent.reader.email, `sg-${sent.deliveryId}`);

      await post('/webhooks/sendgrid', payload, sendgrid.headers(payload)).expect(200);
      const again = await post('/webhooks/sendgrid', payload, sendgrid.headers(payload)).expect(200);

      expect(again.body).toEqual({ received: 1, applied: 0 });
      expect(await isSuppressed(sut, sent.reader.email)).toBe(true);
    });

    it('a spam report unsubscribes the reader', async () => {
      const sent = await anAlertSent(sut);
      const payload = events(sent.mail.messageId as string, sent.reader.email, `sg-spam-${sent.deliveryId}`, 'spamreport');

      await post('/webhooks/sendgrid', payload, sendgrid.headers(payload)).expect(200);

      expect(await sut.prisma.subscriber.findUniqueOrThrow({ where: { id: sent.reader.id } })).toMatchObject({ status: 'unsubscribed' });
      expect(await metric(sut, 'dispatch_complaints_total', { kind: 'alert', source: 'sendgrid' })).toBeGreaterThanOrEqual(1);
    });

    it('refuses a payload signed by another key, a tampered payload and a missing signature with 401', async () => {
      const sent = await anAlertSent(sut);
      const payload = events(sent.mail.messageId as string, sent.reader.email, `sg-forged-${sent.deliveryId}`);
      const headers = sendgrid.headers(payload);

      await post('/webhooks/sendgrid', payload, new SendgridSigner().headers(payload)).expect(401);
      await post('/webhooks/sendgrid', payload.replace('5.1.1', '5.1.2'), headers).expect(401);
      await post('/webhooks/sendgrid', payload, { ...headers, 'X-Twilio-Email-Event-Webhook-Timestamp': '1' }).expect(401);
      await post('/webhooks/sendgrid', payload).expect(401);
      await post('/webhooks/sendgrid', payload, { ...headers, 'X-Twilio-Email-Event-Webhook-Signature': 'not base64 DER at all' }).expect(401);

      expect(await isSuppressed(sut, sent.reader.email)).toBe(false);
    });
  });

  describe('Mailgun (HMAC, 5-minute window)', () => {
    const body = (messageId: string, recipient: string, id: string, signature = mailgunSignature(MAILGUN_KEY)) =>
      JSON.stringify({
        signature,
        'event-data': {
          id,
          event: 'failed',
          severity: 'permanent',
          recipient,
          message: { headers: { 'message-id': messageId.replace(/^<|>$/g, '') } },
          'delivery-status': { code: 550, 'enhanced-code': '5.1.1', message: 'mailbox does not exist' },
        },
      });

    it('a signed permanent failure suppresses; the same event again is one effect', async () => {
      const sent = await anAlertSent(sut);
      const payload = body(sent.mail.messageId as string, sent.reader.email, `mg-${sent.deliveryId}`);

      await post('/webhooks/mailgun', payload).expect(200);
      const again = await post('/webhooks/mailgun', payload).expect(200);

      expect(again.body).toEqual({ received: 1, applied: 0 });
      expect(await isSuppressed(sut, sent.reader.email)).toBe(true);
    });

    it('refuses a wrong key, a tampered signature and a timestamp older than 5 minutes with 401', async () => {
      const sent = await anAlertSent(sut);
      const id = `mg-bad-${sent.deliveryId}`;
      const stale = mailgunSignature(MAILGUN_KEY, Math.floor(Date.now() / 1000) - 301);
      const wrong = mailgunSignature('another-key');
      const tampered = { ...mailgunSignature(MAILGUN_KEY), token: 'x'.repeat(50) };

      for (const signature of [stale, wrong, tampered]) await post('/webhooks/mailgun', body(sent.mail.messageId as string, sent.reader.email, id, signature)).expect(401);

      expect(await isSuppressed(sut, sent.reader.email)).toBe(false);
    });
  });

  describe('Postmark (basic auth)', () => {
    const bounce = (email: string, id: number, type = 'HardBounce') => JSON.stringify({ RecordType: 'Bounce', ID: id, Type: type, TypeCode: 1, Email: email, MessageID: 'pm-own-id', Description: 'The server was unable to deliver your message' });
    const auth = (user: string, password: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

    it('a bounce with the right credentials suppresses the latest email’s reader; the same record again is one effect', async () => {
      const sent = await anAlertSent(sut);
      const payload = bounce(sent.reader.email, Number(sent.deliveryId) + 1_000_000);

      await post('/webhooks/postmark', payload, auth(POSTMARK.user, POSTMARK.password)).expect(200);
      const again = await post('/webhooks/postmark', payload, auth(POSTMARK.user, POSTMARK.password)).expect(200);

      expect(again.body).toEqual({ received: 1, applied: 0 });
      expect(await isSuppressed(sut, sent.reader.email)).toBe(true);
      expect(await sut.prisma.delivery.findUniqueOrThrow({ where: { id: sent.deliveryId } })).toMatchObject({ feedback: 'bounced' });
    });

    it('refuses wrong or missing credentials with 401', async () => {
      const sent = await anAlertSent(sut);
      const payload = bounce(sent.reader.email, Number(sent.deliveryId) + 2_000_000);

      await post('/webhooks/postmark', payload, auth(POSTMARK.user, 'wrong')).expect(401);
      await post('/webhooks/postmark', payload).expect(401);

      expect(await isSuppressed(sut, sent.reader.email)).toBe(false);
    });
  });

  it('answers 400, never 500, to a signed body that is not JSON', async () => {
    const garbage = '{"not json';
    await post('/webhooks/sendgrid', garbage, sendgrid.headers(garbage)).expect(400);
    await post('/webhooks/postmark', garbage, { Authorization: `Basic ${Buffer.from(`${POSTMARK.user}:${POSTMARK.password}`).toString('base64')}` }).expect(400);
    await post('/webhooks/ses', garbage).expect(400);
  });
});

describe('Relay webhooks, unconfigured', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp();
  }, 60_000);

  afterAll(() => sut.close());

  it.each(['ses', 'sendgrid', 'mailgun', 'postmark'])('POST /webhooks/%s answers 404', async (relay) => {
    await request(sut.url).post(`/webhooks/${relay}`).set('content-type', 'application/json').send('[]').expect(404);
  });
});
