import request from 'supertest';
import { startTestApp, TestApp } from '../../support/app';
import { anArticle, asEditor, editorGet, withWrongKey } from './editor-fixtures';

jest.setTimeout(60_000);

const HOUR = 3_600_000;

describe('GET /articles/search', () => {
  let sut: TestApp;
  const now = Date.now();
  const hoursAgo = (hours: number) => new Date(now - hours * HOUR);

  beforeAll(async () => {
    sut = await startTestApp();
  }, 60_000);

  afterAll(() => sut.close());

  const search = (query: Record<string, string>) => editorGet(sut, '/articles/search', query);
  const idsOf = (body: { id: string }[]) => body.map((hit) => hit.id);

  it('is 401 without a key and with a wrong key', async () => {
    await anArticle(sut.prisma, { title: 'Secret scoop' });

    const none = await request(sut.url).get('/articles/search').query({ q: 'scoop' });
    const wrong = await request(sut.url).get('/articles/search').query({ q: 'scoop' }).set(withWrongKey);

    for (const res of [none, wrong]) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: expect.any(String) });
    }
  });

  it('finds articles by any part of the title, ignoring case, newest first', async () => {
    const older = await anArticle(sut.prisma, { title: 'Glacier retreat speeds up', publishedAt: hoursAgo(5) });
    const newer = await anArticle(sut.prisma, { title: 'Why the GLACIER matters', publishedAt: hoursAgo(1) });
    await anArticle(sut.prisma, { title: 'Desert bloom', publishedAt: hoursAgo(2) });

    const res = await search({ q: 'glacier' }).expect(200);

    expect(idsOf(res.body)).toEqual([newer.id, older.id]);
    expect(res.body[0]).toEqual({
      id: newer.id,
      title: 'Why the GLACIER matters',
      tags: ['ainews'],
      publishedAt: hoursAgo(1).toISOString(),
      breaking: false,
      alert: null,
    });
  });

  it('finds articles by tag, written with or without "#" and in any case', async () => {
    const tagged = await anArticle(sut.prisma, { title: 'Chip exports', tags: ['semis', 'trade'] });
    await anArticle(sut.prisma, { title: 'Semis are a word in this title only', tags: ['other'] });

    for (const q of ['trade', '#Trade', ' TRADE ']) {
      const res = await search({ q }).expect(200);
      expect(idsOf(res.body)).toEqual([tagged.id]);
    }
  });

  it('finds an article by its exact id', async () => {
    const article = await anArticle(sut.prisma, { id: 'exact-id-lookup-42', title: 'Something else entirely' });

    const res = await search({ q: 'exact-id-lookup-42' }).expect(200);

    expect(idsOf(res.body)).toEqual([article.id]);
  });

  it('treats % and _ in the text as themselves, not as wildcards', async () => {
    const percent = await anArticle(sut.prisma, { title: 'Rates rise 100% in a year', publishedAt: hoursAgo(3) });
    await anArticle(sut.prisma, { title: 'Rates rise 100 basis points', publishedAt: hoursAgo(2) });
    const underscore = await anArticle(sut.prisma, { title: 'The snake_case debate', publishedAt: hoursAgo(3) });
    await anArticle(sut.prisma, { title: 'The snakescase debate', publishedAt: hoursAgo(2) });
    const backslash = await anArticle(sut.prisma, { title: 'Paths like C:\\temp confuse people' });

    expect(idsOf((await search({ q: 'rise 100%' }).expect(200)).body)).toEqual([percent.id]);
    expect(idsOf((await search({ q: 'snake_case' }).expect(200)).body)).toEqual([underscore.id]);
    expect(idsOf((await search({ q: 'C:\\temp' }).expect(200)).body)).toEqual([backslash.id]);
    expect((await search({ q: '%' }).expect(200)).body.map((hit: { title: string }) => hit.title)).toEqual(['Rates rise 100% in a year']);
  });

  it('lists the newest articles without text, up to the limit', async () => {
    const newest = [];
    for (let i = 0; i < 3; i++) newest.push(await anArticle(sut.prisma, { title: `Fresh ${i}`, publishedAt: new Date(now + (3 - i) * 60_000) }));

    const res = await search({ limit: '3' }).expect(200);

    expect(idsOf(res.body)).toEqual(newest.map((a) => a.id));
  });

  it('says which article already has an alert', async () => {
    const alerted = await anArticle(sut.prisma, { title: 'Quake alert sent', tags: ['quake'] });
    const alert = await sut.prisma.alert.create({ data: { articleId: alerted.id, tags: ['quake'], sentBy: 'test', status: 'sent' } });

    const res = await search({ q: 'quake' }).expect(200);

    expect(res.body).toEqual([expect.objectContaining({ id: alerted.id, alert: { alertId: alert.id, status: 'sent', createdAt: alert.createdAt.toISOString() } })]);
  });

  it('refuses a bad limit or a repeated parameter with 400 naming the field', async () => {
    const badLimit = await search({ limit: '500' });
    const repeated = await request(sut.url).get('/articles/search?q=a&q=b').set(asEditor);

    expect(badLimit.status).toBe(400);
    expect(badLimit.body.message).toMatch(/^limit: /);
    expect(repeated.status).toBe(400);
    expect(repeated.body.message).toMatch(/^q: /);
  });
});
