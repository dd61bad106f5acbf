import request from 'supertest';
import { eventually } from '../support/app';
import { ServiceProcess } from '../support/service-process';
import { anArticleEvent, editor, emailsTo, expectKeptPromises, FAST_FAILOVER, Ledger, ledgerOf, metric, outboxSettled, receivedCounts, Reader, someReaders } from './fixtures';

jest.setTimeout(240_000);

// RELIABILITY.md F14 (issue 13's second case): the relay has the whole message,
// and its reply never reaches us — the connection drops before the 250, or the
// 250 comes later than our socket timeout. Reported: 3 copies for a dropped
// connection, 2 for a 250 after 65 s, none counted. Whether the relay kept the
// message is unknown: the row turns `uncertain`, is resent at most once with the
// same Message-ID and counted; and the DATA reply is awaited as long as RFC 5321
// says (10 minutes), so a slow 250 is a success, not a resend.

/** Later than the 60 s socket timeout the service used to give up after. */
const LATE_REPLY_MS = 68_000;

describe('An SMTP reply lost after the final dot', () => {
  let service: ServiceProcess;
  const ledger = new Ledger();

  beforeAll(async () => {
    // A lease far longer than the late reply: only the SMTP client decides what happens to it.
    service = await ServiceProcess.start({ env: { ...FAST_FAILOVER, DELIVERY_LEASE_SECONDS: '300', SMTP_POOL_SIZE: '2' } });
  });

  afterAll(async () => {
    await service?.close();
  });

  async function alertTo(tag: string, readers: readonly Reader[]): Promise<string> {
    const res = await request(service.url)
      .post('/alerts')
      .set(editor)
      .send({ article: anArticleEvent({ id: `${tag}-story`, tags: [tag], publishedAt: new Date().toISOString() }) });
    expect(res.status).toBe(202);
    const { alertId } = res.body as { alertId: string };
    ledger.expect(emailsTo(readers, 'alert', alertId));
    return alertId;
  }

  it('F14a: a connection dropped before the 250 makes the row uncertain: resent once with its Message-ID, and counted', async () => {
    const readers = await someReaders(service.prisma, 1, () => ({ tags: ['f14-drop'] }));
    const countedBefore = await metric(service.url, 'dispatch_deliveries_uncertain_total');
    service.smtp.loseReplyAfterData(1);
    ledger.faultStruck();
    const alertId = await alertTo('f14-drop', readers);

    const broken: string[] = [];
    await service.smtp.waitFor(1, 60_000);
    await eventually(async () => ((await service.prisma.delivery.count({ where: { alertId, status: { in: ['sent', 'failed'] } } })) === 1 ? true : undefined), 60_000).catch(
      (error: Error) => broken.push(`the alert's row did not settle: ${error.message}`),
    );
    await outboxSettled(service.prisma, 30_000).catch((error: Error) => broken.push(`the outbox did not settle: ${error.message}`));
    const row = await service.prisma.delivery.findFirstOrThrow({ where: { alertId } });
    const copies = receivedCounts(service.smtp).get(row.messageId) ?? 0;
    const counted = (await metric(service.url, 'dispatch_deliveries_uncertain_total')) - countedBefore;
    if (copies > 2) broken.push(`the reader got ${copies} copies; an unknown outcome allows one resend, so 2 at most`);
    if (row.uncertainResends === 0 && row.status !== 'uncertain') broken.push(`the row is ${row.status} with uncertainResends 0: the lost reply was not counted as uncertain`);
    if (row.uncertainResends > 1) broken.push(`the row was resent as uncertain ${row.uncertainResends} times; once at most`);
    if (counted < 1) broken.push(`dispatch_deliveries_uncertain_total rose by ${counted}, not by 1`);
    process.stdout.write(`F14a: ${copies} copies; row ${row.status}, attempts ${row.attempts}, uncertainResends ${row.uncertainResends}; uncertain metric +${counted}\n`);
    expectKeptPromises(broken, await ledgerOf(service, ledger));
  });

  it('F14b: a 250 later than 60 s is awaited (RFC 5321: 10 minutes): one copy, sent, nothing resent', async () => {
    const readers = await someReaders(service.prisma, 1, () => ({ tags: ['f14-late'] }));
    service.smtp.answerLate(1, LATE_REPLY_MS);
    ledger.faultStruck();
    const started = Date.now();
    const alertId = await alertTo('f14-late', readers);

    const broken: string[] = [];
    await eventually(async () => ((await service.prisma.delivery.count({ where: { alertId, status: { in: ['sent', 'failed'] } } })) === 1 ? true : undefined), LATE_REPLY_MS + 30_000).catch(
      (error: Error) => broken.push(`the alert's row did not settle: ${error.message}`),
    );
    await outboxSettled(service.prisma, 30_000).catch((error: Error) => broken.push(`the outbox did not settle: ${error.message}`));
    const row = await service.prisma.delivery.findFirstOrThrow({ where: { alertId } });
    const copies = receivedCounts(service.smtp).get(row.messageId) ?? 0;
    if (copies !== 1) broken.push(`the reader got ${copies} copies of an email the relay accepted once, ${LATE_REPLY_MS / 1000} s late`);
    if (row.status !== 'sent') broken.push(`the row is ${row.status}, not sent`);
    if (row.attempts !== 1 || row.uncertainResends !== 0) broken.push(`the row took ${row.attempts} attempts and ${row.uncertainResends} uncertain resends; the late 250 should have been the first attempt's answer`);
    process.stdout.write(`F14b: ${copies} copies after a ${LATE_REPLY_MS} ms reply; row ${row.status} after ${Date.now() - started} ms, attempts ${row.attempts}, lastError ${row.lastError ?? '-'}\n`);
    expectKeptPromises(broken, await ledgerOf(service, ledger));
  });
});
