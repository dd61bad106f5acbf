import { AlertReport as AlertStatus } from '../../../src/alerts/alert-report';
import { eventually, startTestApp, TestApp } from '../../support/app';
import { alertFinished, alertStatus, anArticle, anEmailAlertReport, mailsOf, postAlert, someReaders } from './alert-fixtures';

jest.setTimeout(180_000);

const AUDIENCE = 2_000;
const REJECTED = 3;

describe('Alert fan-out to 2,000 readers through a real SMTP server', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp();
  });

  afterAll(() => sut.close());

  it('delivers exactly one email to every reader and reports progress that adds up while sending and at the end', async () => {
    const readers = await someReaders(sut.prisma, AUDIENCE, () => ({ tags: ['fanout'] }));
    await someReaders(sut.prisma, 50, () => ({ tags: ['fanout'], status: 'pending' }));
    const rejected = readers.slice(0, REJECTED);
    for (const reader of rejected) sut.smtp.rejectRecipient(reader.email);
    const article = await anArticle(sut.prisma, { tags: ['fanout'] });
    // Slow enough that the fan-out lasts seconds, so progress can be watched mid-way.
    sut.smtp.delay(15);

    const created = await postAlert(sut, { articleId: article.id }).expect(202);
    const { alertId } = created.body;
    expect(created.body.recipients).toBe(AUDIENCE);

    const snapshots: { status: AlertStatus; acceptedBefore: number; acceptedAfter: number }[] = [];
    const watch = async () => {
      const acceptedBefore = mailsOf(sut.smtp.messages, alertId).length;
      const res = await alertStatus(sut, alertId).expect(200);
      snapshots.push({ status: res.body, acceptedBefore, acceptedAfter: mailsOf(sut.smtp.messages, alertId).length });
      return res.body as AlertStatus;
    };
    const midway = await eventually(async () => {
      const status = await watch();
      return status.status === 'sending' && status.sent > 0 && status.sent < AUDIENCE - REJECTED ? status : undefined;
    }, 60_000, 25);
    sut.smtp.delay(0);
    await eventually(async () => ((await watch()).status === 'sent' ? true : undefined), 120_000, 100);

    expect(midway.recipients).toBe(AUDIENCE);
    let previous: AlertStatus | undefined;
    for (const { status, acceptedAfter } of snapshots) {
      expect(status.recipients).toBe(AUDIENCE);
      // Recorded only after the SMTP server said 250, so never ahead of what it received.
      expect(status.sent).toBeLessThanOrEqual(acceptedAfter);
      expect(status.failed).toBeLessThanOrEqual(REJECTED);
      if (previous) {
        expect(status.sent).toBeGreaterThanOrEqual(previous.sent);
        expect(['queued', 'sending', 'sent'].indexOf(status.status)).toBeGreaterThanOrEqual(['queued', 'sending', 'sent'].indexOf(previous.status));
      }
      previous = status;
    }
    expect(await alertFinished(sut, alertId)).toEqual(anEmailAlertReport(alertId, { recipients: AUDIENCE, sent: AUDIENCE - REJECTED, failed: REJECTED }));

    const mails = mailsOf(sut.smtp.messages, alertId);
    expect(mails).toHaveLength(AUDIENCE - REJECTED);
    const byMessageId = new Map(mails.map((mail) => [mail.messageId, mail]));
    expect(byMessageId.size).toBe(mails.length);
    for (const reader of readers.slice(REJECTED)) {
      const mail = byMessageId.get(`<alert.${alertId}.${reader.id}@dispatch.test>`);
      expect(mail?.envelope.to).toEqual([reader.email]);
    }
    const rejectedEmails = new Set(rejected.map((reader) => reader.email));
    expect(mails.some((mail) => mail.envelope.to.some((to) => rejectedEmails.has(to)))).toBe(false);
  });

  it('goes ahead of a digest run already queued', async () => {
    const BACKLOG = 1_500;
    const digestReaders = await someReaders(sut.prisma, BACKLOG, () => ({ tags: ['backlog'] }));
    const alertReaders = await someReaders(sut.prisma, 5, () => ({ tags: ['overtake'] }));
    const story = await anArticle(sut.prisma, { tags: ['backlog'] });
    const isDigest = (messageId?: string) => messageId?.startsWith('<digest.backlog.') ?? false;
    // Slow enough that the backlog takes seconds to drain.
    sut.smtp.delay(10);
    await sut.prisma.delivery.createMany({
      data: digestReaders.map((reader) => ({
        kind: 'digest' as const,
        dedupeKey: `digest:${reader.id}:backlog`,
        messageId: `<digest.backlog.${reader.id}@dispatch.test>`,
        priority: 2,
        subscriberId: reader.id,
        articleIds: [story.id],
        payload: { period: 'backlog' },
      })),
    });
    await eventually(async () => (sut.smtp.messages.some((mail) => isDigest(mail.messageId)) ? true : undefined), 60_000, 20);
    const article = await anArticle(sut.prisma, { tags: ['overtake'] });

    const { alertId } = (await postAlert(sut, { articleId: article.id }).expect(202)).body;
    await eventually(async () => (mailsOf(sut.smtp.messages, alertId).length === alertReaders.length ? true : undefined), 60_000, 20);
    const digestsBeforeAlertDone = sut.smtp.messages.filter((mail) => isDigest(mail.messageId)).length;
    sut.smtp.delay(0);

    // The alert did not wait for the queued digests: most of them were still to be sent when it was done.
    expect(digestsBeforeAlertDone).toBeLessThan(BACKLOG / 2);
    await eventually(async () => (sut.smtp.messages.filter((mail) => isDigest(mail.messageId)).length === BACKLOG ? true : undefined), 120_000);
  });
});

