import request from 'supertest';
import { eventually, startTestApp, TestApp } from '../../support/app';
import { kafkaBrokers, produce } from '../../support/kafka';
import { headerValue } from '../../support/smtp-sink';
import {
  aSubscriber,
  aParsedArticle,
  digestMails,
  digestRowsOf,
  editor,
  NO_TICKS,
  outboxSettled,
  postRun,
  preview,
  runAt,
  runFinished,
  storeArticles,
  MovableClock,
} from './digest-fixtures';

jest.setTimeout(120_000);

const HOUR = 3_600_000;
const hoursAfter = (instant: Date, hours: number) => new Date(instant.getTime() + hours * HOUR);

describe('Digest content and the editor endpoints', () => {
  const clock = new MovableClock(new Date('2027-02-01T12:00:00Z'));
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({ env: NO_TICKS, clock });
  });

  afterAll(() => sut.close());

  it('gives each reader the new articles on their tags, best match first, and nothing else', async () => {
    const at = new Date('2027-02-02T07:00:00Z');
    const both = await aSubscriber(sut.prisma, { tags: ['cm-ai', 'cm-chips'] });
    const sport = await aSubscriber(sut.prisma, { tags: ['cm-sport'] });
    await storeArticles(sut, [
      { id: 'cm-ai-only', tags: ['cm-ai'], publishedAt: hoursAfter(at, -1), title: 'AI <script>alert(1)</script> {{preferencesUrl}}' },
      { id: 'cm-ai-and-chips', tags: ['cm-ai', 'cm-chips'], publishedAt: hoursAfter(at, -20) },
      { id: 'cm-sport', tags: ['cm-sport'], publishedAt: hoursAfter(at, -3) },
      { id: 'cm-cooking', tags: ['cm-cooking'], publishedAt: hoursAfter(at, -2) },
      { id: 'cm-ai-yesterday', tags: ['cm-ai'], publishedAt: hoursAfter(at, -25) },
      { id: 'cm-ai-later', tags: ['cm-ai'], publishedAt: hoursAfter(at, 1) },
    ]);

    await runAt(sut, at);
    await outboxSettled(sut);

    const [bothRow] = await digestRowsOf(sut.prisma, both.id);
    expect(bothRow.articleIds).toEqual(['cm-ai-and-chips', 'cm-ai-only']);
    const [sportRow] = await digestRowsOf(sut.prisma, sport.id);
    expect(sportRow.articleIds).toEqual(['cm-sport']);

    const mails = digestMails(sut.smtp.messages);
    const mail = mails.find((m) => m.subscriberId === both.id)!.mail;
    expect(mail.envelope.to).toEqual([both.email]);
    expect(mail.subject).toBe('2 new stories on #cm-ai, #cm-chips');
    expect(mail.messageId).toBe(`<digest.${both.id}.2027-02-02@dispatch.test>`);
    expect(mail.html).toContain('AI &lt;script&gt;alert(1)&lt;/script&gt; {{preferencesUrl}}');
    expect(mail.html).not.toContain('<script>alert(1)');
    expect(mail.text).toContain('AI <script>alert(1)</script> {{preferencesUrl}}');
    expect(headerValue(mail, 'List-Unsubscribe')).toMatch(/^<http:\/\/127\.0\.0\.1:\d+\/unsubscribe\?token=[\w-]+>$/);
    expect(headerValue(mail, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(mail.html).toMatch(/\/preferences\?token=/);
  });

  it('never repeats an article: not in the next digest after an update moved it, not after a breaking alert', async () => {
    const day1 = new Date('2027-02-10T07:00:00Z');
    const day2 = hoursAfter(day1, 24);
    const reader = await aSubscriber(sut.prisma, { tags: ['nr-ai'] });
    const [moved] = await storeArticles(sut, [
      { id: 'nr-moved', tags: ['nr-ai'], publishedAt: hoursAfter(day1, -2) },
      { id: 'nr-day1', tags: ['nr-ai'], publishedAt: hoursAfter(day1, -5) },
    ]);
    await runAt(sut, day1);

    // The CMS republishes the article later that day: it now falls in day 2's window.
    await storeArticles(sut, [{ ...moved, publishedAt: hoursAfter(day1, 3) }]);
    const breaking = aParsedArticle({ id: 'nr-breaking', tags: ['nr-ai'], publishedAt: hoursAfter(day1, 4), breaking: true });
    await produce(kafkaBrokers(), sut.topics.articles, [{ key: breaking.id, value: JSON.stringify({ ...breaking, publishedAt: breaking.publishedAt.toISOString() }) }]);
    const alertRow = await eventually(async () => {
      const row = await sut.prisma.delivery.findFirst({ where: { subscriberId: reader.id, kind: 'alert' } });
      return row ?? undefined;
    });
    expect(alertRow.articleIds).toEqual(['nr-breaking']);
    await storeArticles(sut, [{ id: 'nr-day2', tags: ['nr-ai'], publishedAt: hoursAfter(day1, 6) }]);

    await runAt(sut, day2);
    await outboxSettled(sut);

    const rows = await digestRowsOf(sut.prisma, reader.id);
    expect(rows.map((row) => row.articleIds)).toEqual([['nr-moved', 'nr-day1'], ['nr-day2']]);
    const received = digestMails(sut.smtp.messages).filter((mail) => mail.subscriberId === reader.id);
    expect(received.map((mail) => mail.period)).toEqual(['2027-02-10', '2027-02-11']);
    expect(received[1].mail.html).not.toContain('Headline for nr-breaking');
    expect(received[1].mail.html).not.toContain('Headline for nr-moved');
  });

  it('adds related stories that share tags with the digest, never one of the digest’s own articles', async () => {
    const at = new Date('2027-02-20T07:00:00Z');
    const reader = await aSubscriber(sut.prisma, { tags: ['rel-maia200'] });
    await storeArticles(sut, [
      { id: 'rel-digest-1', tags: ['rel-maia200', 'rel-chips'], publishedAt: hoursAfter(at, -2) },
      { id: 'rel-digest-2', tags: ['rel-maia200', 'rel-news'], publishedAt: hoursAfter(at, -4) },
      { id: 'rel-chips-earlier', tags: ['rel-chips'], publishedAt: hoursAfter(at, -50) },
      { id: 'rel-maia200-earlier', tags: ['rel-maia200'], publishedAt: hoursAfter(at, -30) },
      { id: 'rel-news-today', tags: ['rel-news'], publishedAt: hoursAfter(at, -1) },
      { id: 'rel-unrelated', tags: ['rel-sport'], publishedAt: hoursAfter(at, -1) },
      { id: 'rel-too-old', tags: ['rel-chips'], publishedAt: hoursAfter(at, -8 * 24) },
    ]);

    const previewed = await preview(sut, { email: reader.email, at: at.toISOString() }).expect(200);
    await runAt(sut, at);
    await outboxSettled(sut);

    const [row] = await digestRowsOf(sut.prisma, reader.id);
    expect(row.articleIds).toEqual(['rel-digest-1', 'rel-digest-2']);
    expect([...row.relatedIds].sort()).toEqual(['rel-chips-earlier', 'rel-maia200-earlier', 'rel-news-today']);
    expect(row.relatedIds.filter((id) => row.articleIds.includes(id))).toEqual([]);
    expect(previewed.body.articles).toEqual(row.articleIds);
    expect(previewed.body.related).toEqual(row.relatedIds);
    const mail = digestMails(sut.smtp.messages).find((m) => m.subscriberId === reader.id)!.mail;
    expect(mail.html).toContain('Related stories');
    expect(mail.html).toContain('Headline for rel-maia200-earlier');
    expect(mail.html).not.toContain('Headline for rel-unrelated');
  });

  it('sends nothing to a reader with nothing new, and still counts the period as done', async () => {
    const at = new Date('2027-03-01T07:00:00Z');
    const reader = await aSubscriber(sut.prisma, { tags: ['nn-quiet'] });
    await storeArticles(sut, [{ id: 'nn-other', tags: ['nn-loud'], publishedAt: hoursAfter(at, -1) }]);

    const report = await runAt(sut, at);
    await outboxSettled(sut);

    expect(report.nothingNew).toBeGreaterThanOrEqual(1);
    expect(await sut.prisma.delivery.count({ where: { subscriberId: reader.id } })).toBe(0);
    const after = await sut.prisma.subscriber.findUniqueOrThrow({ where: { id: reader.id } });
    expect(after.nextDigestAt).toEqual(new Date('2027-03-02T07:00:00Z'));
    expect(digestMails(sut.smtp.messages).filter((mail) => mail.subscriberId === reader.id)).toEqual([]);
  });

  it('gives a confirmed reader without a schedule one, instead of forgetting them', async () => {
    const at = new Date('2027-03-05T07:00:00Z');
    const reader = await aSubscriber(sut.prisma, { tags: ['ns-ai'], nextDigestAt: null });
    await sut.prisma.subscriber.update({ where: { id: reader.id }, data: { confirmedAt: new Date('2027-03-04T10:00:00Z') } });
    await storeArticles(sut, [{ id: 'ns-story', tags: ['ns-ai'], publishedAt: hoursAfter(at, -1) }]);

    await runAt(sut, at);
    await outboxSettled(sut);

    const [row] = await digestRowsOf(sut.prisma, reader.id);
    expect(row).toMatchObject({ period: '2027-03-05', articleIds: ['ns-story'] });
    expect((await sut.prisma.subscriber.findUniqueOrThrow({ where: { id: reader.id } })).nextDigestAt).toEqual(new Date('2027-03-06T07:00:00Z'));
  });

  describe('POST /digests/run', () => {
    it('answers 202 with the run id and how many are due, then sends; running the same instant again sends nothing', async () => {
      const at = new Date('2027-03-10T09:00:00Z');
      clock.set(hoursAfter(at, -2));
      // Readers of earlier tests are due too: let them catch up first, so only these three are due at `at`.
      await runAt(sut, hoursAfter(at, -1));
      const readers = await Promise.all([1, 2, 3].map(() => aSubscriber(sut.prisma, { tags: ['api-run'], sendHour: 9, nextDigestAt: at })));
      await storeArticles(sut, [{ id: 'api-run-story', tags: ['api-run'], publishedAt: hoursAfter(at, -1) }]);
      const sentBefore = sut.smtp.messages.length;

      const first = await postRun(sut, { at: at.toISOString() }).expect(202);

      expect(first.body).toEqual({ runId: expect.stringMatching(/^[0-9a-f-]{36}$/), due: 3 });
      const finished = await runFinished(sut, first.body.runId);
      expect(finished).toMatchObject({ runId: first.body.runId, at: at.toISOString(), trigger: 'manual', status: 'finished', due: 3, queued: 3, empty: 0 });
      await outboxSettled(sut);
      const again = await postRun(sut, { at: at.toISOString() }).expect(202);
      expect(again.body.due).toBe(0);
      await runFinished(sut, again.body.runId);
      await outboxSettled(sut);
      const received = digestMails(sut.smtp.messages.slice(sentBefore));
      expect(received.map((mail) => mail.subscriberId).sort()).toEqual(readers.map((r) => r.id).sort());
    });

    it('runs at the clock’s now without a body', async () => {
      const res = await postRun(sut).expect(202);

      const finished = await runFinished(sut, res.body.runId);
      expect(finished.at).toBe(clock.now().toISOString());
    });

    it('refuses an instant more than 7 days ahead with 400, and moves nobody\'s schedule', async () => {
      const due = clock.now();
      const reader = await aSubscriber(sut.prisma, { tags: ['far-ahead'], nextDigestAt: due });
      const runsBefore = await sut.prisma.digestRun.count();
      const far = new Date(due.getTime() + 7 * 24 * HOUR + 60_000);

      const res = await postRun(sut, { at: far.toISOString() }).expect(400);
      const farther = await postRun(sut, { at: '2099-01-01T07:00:00Z' }).expect(400);

      expect(res.body.message).toMatch(/^at: must be at most 7 days ahead/);
      expect(farther.body.message).toMatch(/^at: must be at most 7 days ahead/);
      expect(await sut.prisma.digestRun.count()).toBe(runsBefore);
      expect((await sut.prisma.subscriber.findUniqueOrThrow({ where: { id: reader.id } })).nextDigestAt).toEqual(due);
    });

    it.each([
      [{ at: 'tomorrow' }, /^at: must be an ISO-8601 instant/],
      [{ at: '2027-03-10T07:00:00' }, /^at: /],
      [{ when: '2027-03-10T07:00:00Z' }, /when: is not an allowed field/],
    ])('refuses %j with 400 and records no run', async (body, message) => {
      const runsBefore = await sut.prisma.digestRun.count();

      const res = await postRun(sut, body).expect(400);

      expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(message) });
      expect(await sut.prisma.digestRun.count()).toBe(runsBefore);
    });

    it('refuses editors without a valid key', async () => {
      await request(sut.url).post('/digests/run').send({}).expect(401);
      await request(sut.url).post('/digests/run').set({ Authorization: 'Bearer wrong-key-0123456789' }).send({}).expect(401);
      await request(sut.url).get('/digests/preview').query({ email: 'a@example.com' }).expect(401);
      await request(sut.url).get('/digests/runs/00000000-0000-0000-0000-000000000000').expect(401);
    });

    it('answers 404 for a run that does not exist', async () => {
      await request(sut.url).get('/digests/runs/00000000-0000-0000-0000-000000000000').set(editor).expect(404);
      await request(sut.url).get('/digests/runs/not-a-uuid').set(editor).expect(404);
    });
  });

  describe('GET /digests/preview', () => {
    it('shows what a run at that instant would send, rendered, and records and sends nothing', async () => {
      const at = new Date('2027-03-20T07:00:00Z');
      const reader = await aSubscriber(sut.prisma, { tags: ['pv-ai'] });
      await storeArticles(sut, [
        { id: 'pv-1', tags: ['pv-ai'], publishedAt: hoursAfter(at, -1) },
        { id: 'pv-2', tags: ['pv-ai'], publishedAt: hoursAfter(at, -2) },
      ]);
      await outboxSettled(sut);
      const counts = async () => [await sut.prisma.delivery.count(), await sut.prisma.digestRun.count(), sut.smtp.messages.length];
      const before = await counts();
      const nextBefore = (await sut.prisma.subscriber.findUniqueOrThrow({ where: { id: reader.id } })).nextDigestAt;

      const first = await preview(sut, { email: reader.email, at: at.toISOString() }).expect(200);
      const [local, domain] = reader.email.split('@');
      const second = await preview(sut, { email: ` ${local}@${domain.toUpperCase()} `, at: at.toISOString() }).expect(200);

      expect(first.body).toEqual({
        subject: '2 new stories on #pv-ai',
        html: expect.stringContaining('Headline for pv-1'),
        text: expect.stringContaining('Headline for pv-2'),
        articles: ['pv-1', 'pv-2'],
        related: [],
      });
      expect(second.body).toEqual(first.body);
      expect(await counts()).toEqual(before);
      expect((await sut.prisma.subscriber.findUniqueOrThrow({ where: { id: reader.id } })).nextDigestAt).toEqual(nextBefore);

      await runAt(sut, at);
      const [row] = await digestRowsOf(sut.prisma, reader.id);
      expect(row.articleIds).toEqual(first.body.articles);
    });

    it('answers the same "no digest" for an unknown address, an unconfirmed reader and a reader with nothing new', async () => {
      const at = new Date('2027-03-25T07:00:00Z');
      const pending = await aSubscriber(sut.prisma, { tags: ['pv-none'], status: 'pending' });
      const quiet = await aSubscriber(sut.prisma, { tags: ['pv-quiet'] });
      await storeArticles(sut, [{ id: 'pv-none-story', tags: ['pv-none'], publishedAt: hoursAfter(at, -1) }]);
      const noDigest = { subject: null, html: null, text: null, articles: [], related: [] };

      for (const email of ['nobody@readers.test', pending.email, quiet.email, 'not an address']) {
        const res = await preview(sut, { email, at: at.toISOString() }).expect(200);
        expect(res.body).toEqual(noDigest);
      }
    });

    it('refuses a missing email or a bad instant with 400', async () => {
      await preview(sut, {}).expect(400);
      const res = await preview(sut, { email: 'a@readers.test', at: '25/03/2027' }).expect(400);
      expect(res.body.message).toMatch(/^at: /);
    });
  });
});
