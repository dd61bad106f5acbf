import request from 'supertest';
import { editorKeyId } from '../../../src/editors/editor-keys';
import { EDITOR_KEY, startTestApp, TestApp } from '../../support/app';
import { aReader, alertFinished, alertStatus, anArticle, aFreshArticleEvent, anEmailAlertReport, editor, mailsOf, postAlert, someReaders } from './alert-fixtures';

jest.setTimeout(60_000);

describe('Alerts API (POST /alerts, GET /alerts/:id, GET /alerts/preview)', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp();
  }, 60_000);

  afterAll(() => sut.close());

  const counts = async () => ({ alerts: await sut.prisma.alert.count(), deliveries: await sut.prisma.delivery.count() });

  describe('without a valid editor key', () => {
    it.each([
      ['no Authorization header', {}],
      ['a wrong key', { Authorization: 'Bearer not-the-editor-key' }],
      ['another scheme', { Authorization: `Basic ${EDITOR_KEY}` }],
      ['the key with a suffix', { Authorization: `Bearer ${EDITOR_KEY}x` }],
    ])('POST /alerts with %s is 401 and queues nothing, not even an inline article', async (_case, headers) => {
      const article = await anArticle(sut.prisma);
      await aReader(sut.prisma, { tags: ['ainews'] });
      const inline = aFreshArticleEvent({ tags: ['ainews'] });
      const before = await counts();

      const byId = await request(sut.url).post('/alerts').set(headers).send({ articleId: article.id });
      const byBody = await request(sut.url).post('/alerts').set(headers).send({ article: inline });

      for (const res of [byId, byBody]) {
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: expect.stringContaining('editor key') });
      }
      expect(await counts()).toEqual(before);
      expect(await sut.prisma.article.findUnique({ where: { id: inline.id } })).toBeNull();
    });

    it('GET /alerts/:id and GET /alerts/preview are 401 too', async () => {
      const article = await anArticle(sut.prisma);
      const { body } = await postAlert(sut, { articleId: article.id }).expect(202);

      await request(sut.url).get(`/alerts/${body.alertId}`).expect(401);
      await request(sut.url).get(`/alerts/${body.alertId}`).set('Authorization', 'Bearer wrong').expect(401);
      await request(sut.url).get('/alerts/preview').query({ articleId: article.id }).expect(401);
    });
  });

  describe('POST /alerts', () => {
    it('answers 202 with the alert id and audience size, and records who sent it, when and to which tags', async () => {
      const tag = 'quake-api';
      await someReaders(sut.prisma, 3, () => ({ tags: [tag] }));
      const article = await anArticle(sut.prisma, { tags: [tag] });

      const res = await postAlert(sut, { articleId: article.id });

      expect(res.status).toBe(202);
      expect(res.body).toEqual({ alertId: expect.any(String), recipients: 3 });
      const alert = await sut.prisma.alert.findUniqueOrThrow({ where: { id: res.body.alertId } });
      expect(alert).toMatchObject({ articleId: article.id, sentBy: editorKeyId(EDITOR_KEY), tags: [tag], sequence: 0 });
      expect(alert.sentBy).not.toContain(EDITOR_KEY);
      expect(alert.createdAt).toBeInstanceOf(Date);
      expect(await alertFinished(sut, res.body.alertId)).toEqual(anEmailAlertReport(res.body.alertId, { recipients: 3, sent: 3, failed: 0 }));
    });

    it('returns the existing alert for an article already alerted, and queues nothing more', async () => {
      const tag = 'idem-api';
      await someReaders(sut.prisma, 2, () => ({ tags: [tag] }));
      const article = await anArticle(sut.prisma, { tags: [tag] });
      const first = await postAlert(sut, { articleId: article.id }).expect(202);
      await alertFinished(sut, first.body.alertId);

      const again = await postAlert(sut, { articleId: article.id }).expect(202);
      const widened = await postAlert(sut, { articleId: article.id, tags: ['somethingelse'] }).expect(202);

      expect(again.body).toEqual(first.body);
      expect(widened.body).toEqual(first.body);
      expect(await sut.prisma.alert.count({ where: { articleId: article.id } })).toBe(1);
      expect(await sut.prisma.delivery.count({ where: { alertId: first.body.alertId } })).toBe(2);
      expect(mailsOf(sut.smtp.messages, first.body.alertId)).toHaveLength(2);
    });

    it('creates one alert when the same article is posted many times at once', async () => {
      const tag = 'race-api';
      await someReaders(sut.prisma, 5, () => ({ tags: [tag] }));
      const article = await anArticle(sut.prisma, { tags: [tag] });

      const responses = await Promise.all(Array.from({ length: 6 }, () => postAlert(sut, { articleId: article.id })));

      expect(responses.map((res) => res.status)).toEqual(Array(6).fill(202));
      expect(new Set(responses.map((res) => res.body.alertId)).size).toBe(1);
      const [alert] = await sut.prisma.alert.findMany({ where: { articleId: article.id } });
      await alertFinished(sut, alert.id);
      expect(await sut.prisma.alert.count({ where: { articleId: article.id } })).toBe(1);
      expect(mailsOf(sut.smtp.messages, alert.id)).toHaveLength(5);
    });

    it('sends again only when explicitly asked to, as a new alert with new Message-IDs', async () => {
      const tag = 'resend-api';
      const [reader] = await someReaders(sut.prisma, 1, () => ({ tags: [tag] }));
      const article = await anArticle(sut.prisma, { tags: [tag] });
      const first = await postAlert(sut, { articleId: article.id }).expect(202);
      await alertFinished(sut, first.body.alertId);

      const resent = await postAlert(sut, { articleId: article.id, resend: true }).expect(202);
      await alertFinished(sut, resent.body.alertId);

      expect(resent.body.alertId).not.toBe(first.body.alertId);
      expect(await sut.prisma.alert.findUniqueOrThrow({ where: { id: resent.body.alertId } })).toMatchObject({ sequence: 1 });
      const firstMail = mailsOf(sut.smtp.messages, first.body.alertId);
      const secondMail = mailsOf(sut.smtp.messages, resent.body.alertId);
      expect(firstMail.map((mail) => mail.envelope.to)).toEqual([[reader.email]]);
      expect(secondMail.map((mail) => mail.envelope.to)).toEqual([[reader.email]]);
      expect(firstMail[0].messageId).not.toBe(secondMail[0].messageId);
    });

    it('stores an inline article exactly like an event, then alerts it', async () => {
      const tag = 'inline-api';
      const [reader] = await someReaders(sut.prisma, 1, () => ({ tags: [tag] }));
      const event = { ...aFreshArticleEvent({ tags: [`#${tag.toUpperCase()}`], title: 'Inline breaking story' }), breaking: true };

      const res = await postAlert(sut, { article: event }).expect(202);
      await alertFinished(sut, res.body.alertId);

      const stored = await sut.prisma.article.findUniqueOrThrow({ where: { id: event.id } });
      expect(stored).toMatchObject({ title: 'Inline breaking story', tags: [tag], url: event.url });
      const [mail] = mailsOf(sut.smtp.messages, res.body.alertId);
      expect(mail.envelope.to).toEqual([reader.email]);
      expect(mail.subject).toContain('Inline breaking story');
      // A breaking inline article is still one alert: the editor's.
      expect(await sut.prisma.alert.count({ where: { articleId: event.id } })).toBe(1);
    });

    it('never lets an inline older version (by updatedAt) overwrite the stored article', async () => {
      const newer = { ...aFreshArticleEvent({ title: 'Newer title' }), updatedAt: '2026-11-23T10:00:00Z' };
      await postAlert(sut, { article: newer }).expect(202);

      await postAlert(sut, { article: { ...newer, title: 'Older title', updatedAt: '2026-11-23T09:00:00Z' } }).expect(202);

      expect(await sut.prisma.article.findUniqueOrThrow({ where: { id: newer.id } })).toMatchObject({ title: 'Newer title' });
    });

    it.each([
      [{}, 'body: give exactly one of "articleId" or "article"'],
      [{ articleId: 7 }, 'articleId: must be a string of 1 to 200 characters'],
      [{ articleId: 'x', tags: ['not a tag'] }, 'tags[0]: must be 1 to 50 letters'],
      [{ articleId: 'x', resend: 'please' }, 'resend: must be true or false'],
      [{ articleId: 'x', priority: 'high' }, 'priority: must be one of "major", "minor"'],
      [{ articleId: 'x', urgent: true }, 'urgent: is not an allowed field'],
      [{ articleId: 'x', channels: ['email', 'sms'] }, 'channels[1]: "sms" is not a channel; use "email" or "push"'],
      [{ articleId: 'x', channels: [] }, 'channels: at least one channel'],
      [{ articleId: 'x', sendAt: '2026-11-24 07:00' }, 'sendAt: must be an ISO 8601 instant'],
      [{ articleId: 'x', test: 'yes' }, 'test: must be true or false'],
      [{ article: { id: 'x', url: 'https://news.example.com/x', tags: ['a'], publishedAt: '2026-11-23T09:00:00Z' } }, 'article.title: is required'],
    ])('refuses %j with 400 naming the field', async (body, message) => {
      const before = await counts();

      const res = await postAlert(sut, body);

      expect(res.status).toBe(400);
      expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringContaining(message) });
      expect(await counts()).toEqual(before);
    });

    it('refuses a test alert with 400 when no test recipient is configured, storing nothing', async () => {
      await aReader(sut.prisma, { tags: ['no-staff'] });
      const article = await anArticle(sut.prisma, { tags: ['no-staff'] });
      const before = await counts();

      const res = await postAlert(sut, { articleId: article.id, test: true });

      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/^test: there are no test recipients .*ALERT_TEST_RECIPIENTS/);
      expect(await counts()).toEqual(before);
    });

    it('refuses malformed JSON with 400, not 500', async () => {
      const res = await request(sut.url).post('/alerts').set(editor).set('Content-Type', 'application/json').send('{"articleId":');

      expect(res.status).toBe(400);
      expect(res.body.statusCode).toBe(400);
    });

    it('answers 404 for an unknown article id', async () => {
      const before = await counts();

      const res = await postAlert(sut, { articleId: 'no-such-article' });

      expect(res.status).toBe(404);
      expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'article "no-such-article" does not exist' });
      expect(await counts()).toEqual(before);
    });
  });

  describe('GET /alerts/:id', () => {
    it('is 400 for an id that is not a uuid and 404 for an unknown one', async () => {
      const malformed = await alertStatus(sut, 'not-a-uuid');
      const unknown = await alertStatus(sut, '00000000-0000-4000-8000-000000000000');

      expect(malformed.status).toBe(400);
      expect(malformed.body.message).toContain('uuid');
      expect(unknown.status).toBe(404);
    });

    it('reports an alert with no audience as sent to nobody', async () => {
      const article = await anArticle(sut.prisma, { tags: ['nobody-reads-this'] });

      const { body } = await postAlert(sut, { articleId: article.id }).expect(202);

      expect(body.recipients).toBe(0);
      expect(await alertFinished(sut, body.alertId)).toEqual(anEmailAlertReport(body.alertId, { recipients: 0, sent: 0, failed: 0 }));
    });
  });

  describe('GET /alerts/preview', () => {
    it('shows the audience size, subject and HTML, and sends nothing', async () => {
      const tag = 'preview-api';
      await someReaders(sut.prisma, 4, () => ({ tags: [tag] }));
      await someReaders(sut.prisma, 2, () => ({ tags: ['preview-other'] }));
      const article = await anArticle(sut.prisma, { tags: [tag], title: 'Preview <b>me</b>' });
      const before = await counts();
      const sentBefore = sut.smtp.messages.length;

      const own = await request(sut.url).get('/alerts/preview').set(editor).query({ articleId: article.id }).expect(200);
      const widened = await request(sut.url).get('/alerts/preview').set(editor).query({ articleId: article.id, tags: `${tag},#Preview-Other` }).expect(200);

      expect(own.body).toEqual({ recipients: 4, subject: 'Breaking: Preview <b>me</b>', html: expect.any(String) });
      expect(own.body.html).toContain('Preview &lt;b&gt;me&lt;/b&gt;');
      expect(own.body.html).not.toContain('<b>me</b>');
      expect(widened.body.recipients).toBe(6);
      expect(await counts()).toEqual(before);
      expect(sut.smtp.messages.length).toBe(sentBefore);
    });

    it('is 400 without an article id or with a bad tag, 404 for an unknown article', async () => {
      const missing = await request(sut.url).get('/alerts/preview').set(editor);
      const badTag = await request(sut.url).get('/alerts/preview').set(editor).query({ articleId: 'x', tags: 'no spaces allowed' });
      const unknown = await request(sut.url).get('/alerts/preview').set(editor).query({ articleId: 'no-such-article' });

      expect(missing.status).toBe(400);
      expect(missing.body.message).toBe('articleId: is required');
      expect(badTag.status).toBe(400);
      expect(badTag.body.message).toMatch(/^tags\[0\]/);
      expect(unknown.status).toBe(404);
    });
  });
});
