import request from 'supertest';
import { EDITOR_KEY, startTestApp, TestApp } from '../../support/app';
import { assertCleanLedger, checkLedger, deliveryRows, emailsTo, Ledger } from '../../support/ledger';
import { alertFinished, anArticle, editor, mailsOf, someReaders } from './alert-fixtures';

jest.setTimeout(90_000);

// Issue 15: the Idempotency-Key of POST /alerts (CONTRACT.md "Breaking alerts: what
// newsrooms need"). Every body here says "resend": true, so without the key each
// request would make (and send) a new alert: what arrives shows what the key did.

const OTHER_EDITOR_KEY = 'second-editor-key-9876543210';

describe('POST /alerts with an Idempotency-Key', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({ env: { EDITOR_API_KEYS: `${EDITOR_KEY},${OTHER_EDITOR_KEY}` } });
  }, 60_000);

  afterAll(() => sut.close());

  const post = (key: string, body: object, as: Record<string, string> = editor) => request(sut.url).post('/alerts').set(as).set('Idempotency-Key', key).send(body);
  const alertsOf = (articleId: string) => sut.prisma.alert.findMany({ where: { articleId } });
  const uniqueKey = (label: string) => `${label}-${Date.now()}-${Math.random()}`;

  const assertLedger = async (ledger: Ledger, alertId: string) =>
    assertCleanLedger(checkLedger({ ...ledger.expectation(), received: mailsOf(sut.smtp.messages, alertId), rows: await deliveryRows(sut.prisma), connectionsInUse: sut.config.smtp.poolSize }));

  it('answers the same request again as the first time, with the same alert, and sends one set of emails', async () => {
    const readers = await someReaders(sut.prisma, 3, () => ({ tags: ['idem-same'] }));
    const article = await anArticle(sut.prisma, { tags: ['idem-same'] });
    const key = uniqueKey('same');

    const first = await post(key, { articleId: article.id, resend: true });
    await alertFinished(sut, first.body.alertId);
    // The same body, its fields in another order: the same request.
    const again = await post(key, { resend: true, articleId: article.id });

    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(await alertsOf(article.id)).toHaveLength(1);
    await assertLedger(new Ledger().expect(emailsTo(readers, 'alert', first.body.alertId)), first.body.alertId);
    expect(mailsOf(sut.smtp.messages, first.body.alertId)).toHaveLength(3);
  });

  it('refuses the same key with a different body: 409, nothing created, nothing sent', async () => {
    await someReaders(sut.prisma, 2, () => ({ tags: ['idem-diff'] }));
    const article = await anArticle(sut.prisma, { tags: ['idem-diff'] });
    const key = uniqueKey('diff');
    const first = await post(key, { articleId: article.id, resend: true }).expect(202);
    await alertFinished(sut, first.body.alertId);
    const mailsBefore = sut.smtp.messages.length;

    const other = await post(key, { articleId: article.id, resend: true, channels: ['email'] });

    expect(other.status).toBe(409);
    expect(other.body).toEqual({ statusCode: 409, error: 'Conflict', message: expect.stringMatching(/different request body/) });
    expect(await alertsOf(article.id)).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(sut.smtp.messages.length).toBe(mailsBefore);
  });

  it('makes one alert from a double click: concurrent requests with one key', async () => {
    const readers = await someReaders(sut.prisma, 2, () => ({ tags: ['idem-click'] }));
    const article = await anArticle(sut.prisma, { tags: ['idem-click'] });
    const key = uniqueKey('click');

    const answers = await Promise.all(Array.from({ length: 5 }, () => post(key, { articleId: article.id, resend: true })));

    const accepted = answers.filter((res) => res.status === 202);
    expect(answers.every((res) => res.status === 202 || (res.status === 409 && /in progress/.test(res.body.message)))).toBe(true);
    expect(new Set(accepted.map((res) => res.body.alertId)).size).toBe(1);
    const alerts = await alertsOf(article.id);
    expect(alerts).toHaveLength(1);
    await alertFinished(sut, alerts[0].id);
    await assertLedger(new Ledger().expect(emailsTo(readers, 'alert', alerts[0].id)), alerts[0].id);
  });

  it('keeps keys of different editor keys apart', async () => {
    await someReaders(sut.prisma, 1, () => ({ tags: ['idem-editors'] }));
    const article = await anArticle(sut.prisma, { tags: ['idem-editors'] });
    const key = uniqueKey('shared');

    const mine = await post(key, { articleId: article.id, resend: true }).expect(202);
    const theirs = await post(key, { articleId: article.id, resend: true }, { Authorization: `Bearer ${OTHER_EDITOR_KEY}` }).expect(202);

    expect(theirs.body.alertId).not.toBe(mine.body.alertId);
  });

  it('frees the key when the first request fails, so a retry can succeed', async () => {
    const key = uniqueKey('retry');
    const articleId = `idem-later-${Date.now()}`;

    const failed = await post(key, { articleId });
    await anArticle(sut.prisma, { id: articleId, tags: ['idem-retry'] });
    const retried = await post(key, { articleId });

    expect(failed.status).toBe(404);
    expect(retried.status).toBe(202);
    expect(await alertsOf(articleId)).toHaveLength(1);
  });

  it.each([
    ['empty', ''],
    ['too long', 'k'.repeat(201)],
    ['not printable ASCII', 'clé'],
  ])('refuses a key that is %s with 400, creating nothing', async (_case, key) => {
    const article = await anArticle(sut.prisma, { tags: ['idem-bad'] });

    const res = await request(sut.url).post('/alerts').set(editor).set('Idempotency-Key', key).send({ articleId: article.id });

    expect(res.status).toBe(400);
    expect(res.body.message).toBe('Idempotency-Key: must be 1 to 200 printable ASCII characters');
    expect(await alertsOf(article.id)).toHaveLength(0);
  });
});
