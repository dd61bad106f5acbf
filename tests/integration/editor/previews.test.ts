import request from 'supertest';
import { startTestApp, TestApp } from '../../support/app';
import { aReader, anArticle, asEditor, editorGet, sideEffects, someReaders, withWrongKey } from './editor-fixtures';

jest.setTimeout(60_000);

const HOUR = 3_600_000;

describe('Editor previews (GET /alerts/preview, GET /digests/preview)', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp();
  }, 60_000);

  afterAll(() => sut.close());

  describe('without a valid editor key', () => {
    it.each([
      ['no key', {}],
      ['a wrong key', withWrongKey],
      ['another scheme', { Authorization: 'Basic dGVzdDp0ZXN0' }],
    ])('refuses both previews with 401 and the error shape given %s', async (_case, headers) => {
      const reader = await aReader(sut.prisma, { tags: ['refused'] });
      const article = await anArticle(sut.prisma, { tags: ['refused'] });

      const alert = await request(sut.url).get('/alerts/preview').query({ articleId: article.id }).set(headers);
      const digest = await request(sut.url).get('/digests/preview').query({ email: reader.email, at: new Date().toISOString() }).set(headers);

      for (const res of [alert, digest]) {
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: expect.any(String) });
        expect(JSON.stringify(res.body)).not.toContain(reader.email);
      }
    });
  });

  describe('GET /alerts/preview', () => {
    /** One town per test, on its own tags, with every kind of reader who must not be counted. */
    async function aTown(prefix: string) {
      const t = (name: string) => `${prefix}-${name}`;
      await someReaders(sut.prisma, 3, { tags: [t('ai')] });
      await someReaders(sut.prisma, 2, { tags: [t('cloud')] });
      await someReaders(sut.prisma, 1, { tags: [t('ai'), t('cloud')] });
      await someReaders(sut.prisma, 4, { tags: [t('sports')] });
      for (const tags of [[t('ai')], [t('cloud')], [t('sports')], [t('ai'), t('cloud'), t('sports')]]) {
        await someReaders(sut.prisma, 1, { tags, status: 'pending' });
        await someReaders(sut.prisma, 1, { tags, status: 'unsubscribed' });
        await someReaders(sut.prisma, 1, { tags, suppressed: true });
      }
      return t;
    }

    it('counts confirmed, unsuppressed readers with a matching tag, for the article’s tags and for narrowed or widened ones', async () => {
      const t = await aTown('count');
      const article = await anArticle(sut.prisma, { tags: [t('ai'), t('cloud')], title: 'Counting the audience' });

      const own = await editorGet(sut, '/alerts/preview', { articleId: article.id }).expect(200);
      const narrowed = await editorGet(sut, '/alerts/preview', { articleId: article.id, tags: t('cloud') }).expect(200);
      const widened = await editorGet(sut, '/alerts/preview', { articleId: article.id, tags: `${t('ai')},#${t('SPORTS')}` }).expect(200);
      const elsewhere = await editorGet(sut, '/alerts/preview', { articleId: article.id, tags: t('nobody') }).expect(200);

      expect(own.body.recipients).toBe(3 + 2 + 1);
      expect(narrowed.body.recipients).toBe(2 + 1);
      expect(widened.body.recipients).toBe(3 + 1 + 4);
      expect(elsewhere.body.recipients).toBe(0);
    });

    it('shows the email readers would get: the subject and the article', async () => {
      const article = await anArticle(sut.prisma, { tags: ['preview-look'], title: 'Dam holds after record rain', summary: 'Engineers watched overnight.' });

      const res = await editorGet(sut, '/alerts/preview', { articleId: article.id }).expect(200);

      expect(res.body).toEqual({ recipients: 0, subject: expect.stringContaining('Dam holds after record rain'), html: expect.any(String) });
      expect(res.body.html).toContain('Dam holds after record rain');
      expect(res.body.html).toContain('Engineers watched overnight.');
      expect(res.body.html).toContain(`https://news.example.com/${article.id}`);
    });

    it('sends nothing and records nothing, however often it is asked', async () => {
      const t = await aTown('quiet');
      const article = await anArticle(sut.prisma, { tags: [t('ai')] });
      const before = await sideEffects(sut);

      for (const tags of [undefined, t('cloud'), `${t('ai')},${t('sports')}`]) {
        const res = await editorGet(sut, '/alerts/preview', tags ? { articleId: article.id, tags } : { articleId: article.id }).expect(200);
        expect(res.body.recipients).toBeGreaterThan(0);
      }

      expect(await sideEffects(sut)).toEqual(before);
      expect(before.deliveries).toBe(0);
      expect(await sut.prisma.alert.count({ where: { articleId: article.id } })).toBe(0);
    });

    it('answers 404 for an article that does not exist and 400 for a malformed tag', async () => {
      const missing = await editorGet(sut, '/alerts/preview', { articleId: 'no-such-article' });
      const malformed = await editorGet(sut, '/alerts/preview', { articleId: 'whatever', tags: 'not a tag!' });

      expect(missing.status).toBe(404);
      expect(missing.body.message).toMatch(/no-such-article/);
      expect(malformed.status).toBe(400);
      expect(malformed.body.message).toMatch(/^tags/);
    });
  });

  describe('GET /digests/preview', () => {
    const at = new Date('2026-03-10T07:00:00Z');
    const ago = (hours: number) => new Date(at.getTime() - hours * HOUR);
    const NO_DIGEST = { subject: null, html: null, text: null, articles: [], related: [] };

    it('renders a reader’s digest at an instant: subject, html, text, stories and related stories', async () => {
      const reader = await aReader(sut.prisma, { tags: ['dg-render'] });
      const fresh = [
        await anArticle(sut.prisma, { tags: ['dg-render'], title: 'Morning story one', publishedAt: ago(2) }),
        await anArticle(sut.prisma, { tags: ['dg-render'], title: 'Morning story two', publishedAt: ago(5) }),
      ];
      const older = await anArticle(sut.prisma, { tags: ['dg-render'], title: 'Last week’s background', publishedAt: ago(72) });
      await anArticle(sut.prisma, { tags: ['dg-elsewhere'], title: 'Not for this reader', publishedAt: ago(1) });

      const res = await editorGet(sut, '/digests/preview', { email: reader.email, at: at.toISOString() }).expect(200);

      expect(res.body.articles.sort()).toEqual(fresh.map((a) => a.id).sort());
      expect(res.body.related).toEqual([older.id]);
      expect(res.body.subject).toEqual(expect.any(String));
      for (const part of [res.body.html, res.body.text]) {
        expect(part).toContain('Morning story one');
        expect(part).toContain('Morning story two');
        expect(part).not.toContain('Not for this reader');
      }
    });

    it('sends nothing and records nothing: no outbox row, no run, no change to the reader, no mail', async () => {
      const reader = await aReader(sut.prisma, { tags: ['dg-quiet'] });
      await anArticle(sut.prisma, { tags: ['dg-quiet'], publishedAt: ago(3) });
      const readerBefore = await sut.prisma.subscriber.findUniqueOrThrow({ where: { id: reader.id } });
      const before = await sideEffects(sut);

      const first = await editorGet(sut, '/digests/preview', { email: reader.email, at: at.toISOString() }).expect(200);
      const again = await editorGet(sut, '/digests/preview', { email: reader.email, at: at.toISOString() }).expect(200);

      expect(first.body.articles).toHaveLength(1);
      // Recording what was "sent" would make the second preview come out empty.
      expect(again.body).toEqual(first.body);
      expect(await sideEffects(sut)).toEqual(before);
      expect(await sut.prisma.subscriber.findUniqueOrThrow({ where: { id: reader.id } })).toEqual(readerBefore);
    });

    it('gives one "no digest" answer for unknown, unconfirmed, unsubscribed and suppressed addresses and for readers with nothing new', async () => {
      await anArticle(sut.prisma, { tags: ['dg-none'], publishedAt: ago(1) });
      const addresses = [
        'nobody-here@readers.test',
        (await aReader(sut.prisma, { tags: ['dg-none'], status: 'pending' })).email,
        (await aReader(sut.prisma, { tags: ['dg-none'], status: 'unsubscribed' })).email,
        (await aReader(sut.prisma, { tags: ['dg-none'], suppressed: true })).email,
        (await aReader(sut.prisma, { tags: ['dg-nothing-new'] })).email,
      ];

      for (const email of addresses) {
        const res = await editorGet(sut, '/digests/preview', { email, at: at.toISOString() }).expect(200);
        expect(res.body).toEqual(NO_DIGEST);
      }
    });

    it('refuses an instant without a time zone', async () => {
      const res = await request(sut.url).get('/digests/preview').set(asEditor).query({ email: 'someone@readers.test', at: '2026-03-10T07:00' });

      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/^at: /);
    });
  });
});
