import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { BounceReferences } from '../../../src/mail/bounce-reference';
import { aDkimKey, TestDkimKey, verifyDkim } from '../../../src/mail/testing/dkim-keys';
import { eventually, startTestApp, TestApp } from '../../support/app';
import { headerValue, ReceivedMail } from '../../support/smtp-sink';
import { aReader, anArticle, asEditor } from '../editor/editor-fixtures';

jest.setTimeout(90_000);

const SIGNED = ['from', 'to', 'subject', 'date', 'message-id', 'mime-version', 'content-type', 'list-unsubscribe', 'list-unsubscribe-post'];
const BULK_SIGNED = [...SIGNED, 'list-id', 'feedback-id'];

/**
 * Every kind of email as it leaves the service: DKIM-signed (checked by mailauth's verifier
 * with the public key a DNS lookup would find), List-Id and Feedback-ID on bulk mail, and an
 * envelope sender that names its delivery. Both key types, one app each.
 */
describe.each(['rsa', 'ed25519'] as const)('Signed mail with a %s key', (kind) => {
  let sut: TestApp;
  let key: TestDkimKey;
  let references: BounceReferences;

  beforeAll(async () => {
    key = aDkimKey(kind);
    const dir = mkdtempSync(join(tmpdir(), 'dispatch-dkim-'));
    writeFileSync(join(dir, 'dkim.pem'), key.privateKeyPem, { mode: 0o600 });
    sut = await startTestApp({
      env: {
        MAIL_FROM: 'Dispatch News <news@mail.dispatch.test>',
        DKIM_DOMAIN: 'dispatch.test',
        DKIM_SELECTOR: 'may2026',
        DKIM_PRIVATE_KEY_FILE: join(dir, 'dkim.pem'),
        BOUNCE_DOMAIN: 'bounces.dispatch.test',
      },
    });
    references = new BounceReferences(sut.config.tokenSecret, 'bounces.dispatch.test');
  }, 60_000);

  afterAll(() => sut.close());

  async function mailTo(address: string): Promise<ReceivedMail> {
    return eventually(async () => sut.smtp.messages.find((mail) => mail.envelope.to.includes(address)));
  }

  async function expectSignedAndAddressed(mail: ReceivedMail, signedHeaders: string[]): Promise<void> {
    const [check] = await verifyDkim(mail.raw, 'may2026', 'dispatch.test', key);
    expect(check).toMatchObject({ status: 'pass', signingDomain: 'dispatch.test', algorithm: `${kind}-sha256` });
    expect(check.signedHeaders).toEqual(expect.arrayContaining(signedHeaders));
    const delivery = await sut.prisma.delivery.findFirstOrThrow({ where: { messageId: mail.messageId } });
    expect(mail.envelope.from).toMatch(/^bounces\+[a-z2-7]+-[a-z2-7]{16}@bounces\.dispatch\.test$/);
    expect(references.deliveryOf(mail.envelope.from)).toBe(delivery.id);
  }

  async function expectTamperingDetected(mail: ReceivedMail): Promise<void> {
    const raw = mail.raw.toString('latin1');
    for (const [header, forged] of [
      ['Subject', 'Subject: You won a prize'],
      ['List-Unsubscribe-Post', 'List-Unsubscribe-Post: List-Unsubscribe=Never'],
    ]) {
      const tampered = raw.replace(new RegExp(`^${header}: .*(\\r\\n[ \\t].*)*`, 'm'), forged);
      expect(tampered).not.toBe(raw);
      const [check] = await verifyDkim(tampered, 'may2026', 'dispatch.test', key);
      expect(check.status).toBe('fail');
    }
  }

  it('signs the confirmation and the manage email, and names their delivery in the envelope sender', async () => {
    const pending = `signed-${kind}-new@readers.test`;
    await request(sut.url).post('/subscriptions').send({ email: pending, tags: ['ainews'] }).expect(202);
    const confirm = await mailTo(pending);
    await expectSignedAndAddressed(confirm, SIGNED);
    await expectTamperingDetected(confirm);
    expect(headerValue(confirm, 'List-Id')).toBeUndefined();

    const reader = await aReader(sut.prisma, { tags: ['ainews'] });
    await request(sut.url).post('/subscriptions').send({ email: reader.email, tags: ['ainews'] }).expect(202);
    const manage = await mailTo(reader.email);
    await expectSignedAndAddressed(manage, SIGNED);
  });

  it('signs an alert, with List-Id and Feedback-ID, and shows in the preview exactly what it sends', async () => {
    const tag = `signed-alert-${kind}`;
    const reader = await aReader(sut.prisma, { tags: [tag] });
    const article = await anArticle(sut.prisma, { tags: [tag], title: 'Signed breaking news' });
    const preview = await request(sut.url).get('/alerts/preview').query({ articleId: article.id }).set(asEditor).expect(200);

    const created = await request(sut.url).post('/alerts').set(asEditor).send({ articleId: article.id }).expect(202);
    const mail = await mailTo(reader.email);

    await expectSignedAndAddressed(mail, BULK_SIGNED);
    await expectTamperingDetected(mail);
    expect(headerValue(mail, 'List-Id')).toBe('"Dispatch breaking news" <alerts.mail.dispatch.test>');
    expect(headerValue(mail, 'Feedback-ID')).toBe(`${created.body.alertId}:alert:dispatch:mail.dispatch.test`);
    expect(mail.subject).toBe(preview.body.subject);
    expect(normalised(mail.html)).toBe(normalised(withReaderLinks(preview.body.html, mail)));
  });

  it('signs a digest, with List-Id and Feedback-ID, and shows in the preview exactly what it sends', async () => {
    const at = new Date('2026-05-04T07:00:00Z');
    const tag = `signed-digest-${kind}`;
    const reader = await aReader(sut.prisma, { tags: [tag], nextDigestAt: at });
    await anArticle(sut.prisma, { tags: [tag], title: 'Signed digest story', publishedAt: new Date(at.getTime() - 3_600_000) });
    const preview = await request(sut.url).get('/digests/preview').query({ email: reader.email, at: at.toISOString() }).set(asEditor).expect(200);

    const run = await request(sut.url).post('/digests/run').set(asEditor).send({ at: at.toISOString() }).expect(202);
    const mail = await mailTo(reader.email);

    await expectSignedAndAddressed(mail, BULK_SIGNED);
    await expectTamperingDetected(mail);
    expect(headerValue(mail, 'List-Id')).toBe('"Dispatch digest" <digest.mail.dispatch.test>');
    expect(headerValue(mail, 'Feedback-ID')).toBe(`${run.body.runId}:digest:dispatch:mail.dispatch.test`);
    expect(mail.subject).toBe(preview.body.subject);
    expect(normalised(mail.html)).toBe(normalised(withReaderLinks(preview.body.html, mail)));
    expect(normalised(mail.text)).toBe(normalised(withReaderLinks(preview.body.text, mail)));
  });
});

/** A preview's stand-in footer links replaced by the reader's real ones from the email that was sent. */
function withReaderLinks(preview: string, mail: ReceivedMail): string {
  const unsubscribe = /<([^>]+)>/.exec(headerValue(mail, 'List-Unsubscribe') ?? '')?.[1] ?? '';
  const preferences = /https?:\/\/[^\s"<>]*\/preferences\?token=[^\s"<>&]+/.exec(mail.text ?? '')?.[0] ?? '';
  return preview.replace(/https?:\/\/[^\s"<>]*\/unsubscribe\?token=preview/g, unsubscribe).replace(/https?:\/\/[^\s"<>]*\/preferences\?token=preview/g, preferences);
}

function normalised(text: string | undefined): string {
  return (text ?? '').replace(/\r\n/g, '\n').trimEnd();
}
