import { startTestApp, TestApp } from '../../support/app';
import { headerValue } from '../../support/smtp-sink';
import { aReader, alertFinished, anArticle, mailsOf, postAlert, recipientsOf } from './alert-fixtures';

jest.setTimeout(60_000);

describe('Breaking alert audience and email', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp();
  }, 60_000);

  afterAll(() => sut.close());

  /** Readers whose tags say who should get what; every test uses its own tag names. */
  async function aTown(prefix: string) {
    const t = (name: string) => `${prefix}-${name}`;
    return {
      t,
      ai: await aReader(sut.prisma, { tags: [t('ai')] }),
      cloud: await aReader(sut.prisma, { tags: [t('cloud')] }),
      both: await aReader(sut.prisma, { tags: [t('cloud'), t('ai')] }),
      sports: await aReader(sut.prisma, { tags: [t('sports')] }),
      pending: await aReader(sut.prisma, { tags: [t('ai'), t('cloud'), t('sports')], status: 'pending' }),
      unsubscribed: await aReader(sut.prisma, { tags: [t('ai'), t('cloud'), t('sports')], status: 'unsubscribed' }),
      suppressed: await aReader(sut.prisma, { tags: [t('ai'), t('cloud'), t('sports')], suppressed: true }),
    };
  }

  async function sendAndCollect(body: object) {
    const res = await postAlert(sut, body).expect(202);
    const status = await alertFinished(sut, res.body.alertId);
    return { res, status, recipients: recipientsOf(mailsOf(sut.smtp.messages, res.body.alertId)) };
  }

  it('goes to confirmed, unsuppressed readers with a tag of the article — nobody else', async () => {
    const town = await aTown('aud1');
    const article = await anArticle(sut.prisma, { tags: [town.t('ai'), town.t('unread')] });

    const { res, status, recipients } = await sendAndCollect({ articleId: article.id });

    expect(recipients).toEqual([town.ai.email, town.both.email].sort());
    expect(res.body.recipients).toBe(2);
    expect(status).toMatchObject({ recipients: 2, sent: 2, failed: 0 });
  });

  it('narrows the audience to the given tags', async () => {
    const town = await aTown('aud2');
    const article = await anArticle(sut.prisma, { tags: [town.t('ai'), town.t('cloud')] });

    const { recipients } = await sendAndCollect({ articleId: article.id, tags: [town.t('cloud')] });

    expect(recipients).toEqual([town.cloud.email, town.both.email].sort());
  });

  it('widens the audience to tags the article does not carry, still excluding the ineligible', async () => {
    const town = await aTown('aud3');
    const article = await anArticle(sut.prisma, { tags: [town.t('ai')] });

    const { recipients, res } = await sendAndCollect({ articleId: article.id, tags: [`#${town.t('AI')}`, town.t('sports')] });

    expect(recipients).toEqual([town.ai.email, town.both.email, town.sports.email].sort());
    expect(await sut.prisma.alert.findUniqueOrThrow({ where: { id: res.body.alertId } })).toMatchObject({ tags: [town.t('ai'), town.t('sports')] });
  });

  it('is one email with "Breaking", the article, two or three related stories, a text part and unsubscribe headers', async () => {
    const reader = await aReader(sut.prisma, { tags: ['mail-content'] });
    const publishedAt = new Date();
    const hour = 3_600_000;
    const related = [];
    for (let i = 1; i <= 4; i++) {
      related.push(await anArticle(sut.prisma, { tags: ['mail-content'], title: `Earlier story ${i}`, publishedAt: new Date(publishedAt.getTime() - i * hour) }));
    }
    await anArticle(sut.prisma, { tags: ['elsewhere'], title: 'Unrelated story', publishedAt: new Date(publishedAt.getTime() - hour) });
    const article = await anArticle(sut.prisma, { tags: ['mail-content'], title: 'Volcano erupts near the capital', summary: 'Flights are grounded.', publishedAt });

    const res = await postAlert(sut, { articleId: article.id }).expect(202);
    await alertFinished(sut, res.body.alertId);

    const mails = mailsOf(sut.smtp.messages, res.body.alertId);
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail.envelope.to).toEqual([reader.email]);
    expect(mail.messageId).toBe(`<alert.${res.body.alertId}.${reader.id}@dispatch.test>`);
    expect(mail.subject).toMatch(/^Breaking: Volcano erupts near the capital/);
    expect(mail.html).toMatch(/breaking/i);
    expect(mail.html).toContain('Volcano erupts near the capital');
    expect(mail.html).toContain('Flights are grounded.');
    expect(mail.html).toContain(`https://news.example.com/${article.id}`);
    const relatedShown = related.filter((story) => mail.html?.includes(story.title));
    expect(relatedShown.length).toBeGreaterThanOrEqual(2);
    expect(relatedShown.length).toBeLessThanOrEqual(3);
    expect(mail.html).not.toContain('Unrelated story');
    expect(mail.text).toMatch(/breaking/i);
    expect(mail.text).toContain('Volcano erupts near the capital');
    expect(headerValue(mail, 'List-Unsubscribe')).toMatch(new RegExp(`^<${sut.config.publicBaseUrl}/unsubscribe\\?token=[^>]+>$`));
    expect(headerValue(mail, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(mail.html).toContain(`${sut.config.publicBaseUrl}/preferences?token=`);
  });
});
