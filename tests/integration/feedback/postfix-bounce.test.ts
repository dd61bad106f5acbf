import { existsSync } from 'node:fs';
import request from 'supertest';
import { freePort } from '../../../scripts/infra/net';
import { POSTFIX, PostfixInstance, startPostfix } from '../../../scripts/infra/postfix';
import { eventually, startTestApp, TestApp } from '../../support/app';
import { aReader, anArticle, asEditor } from '../editor/editor-fixtures';
import { BOUNCE_DOMAIN, isSuppressed, metric } from './feedback-fixtures';

jest.setTimeout(180_000);

const HOUR = 3_600_000;

/**
 * A real MTA in the loop: Dispatch sends a digest through Debian's Postfix (loopback only,
 * its own config and queue) to a mailbox that does not exist. Postfix accepts it, fails the
 * local delivery, writes its own RFC 3464 DSN to the envelope sender and delivers that to
 * Dispatch's bounce listener; the address is suppressed and the next run skips it.
 */
describe('Bounces from a real Postfix', () => {
  let postfix: PostfixInstance;
  let sut: TestApp;

  beforeAll(async () => {
    if (!existsSync(POSTFIX)) throw new Error(`${POSTFIX} is missing: apt-get install postfix (see .ci/run)`);
    const [smtpPort, bounceListenerPort] = [await freePort(), await freePort()];
    postfix = await startPostfix({ smtpPort, localDomains: ['readers.test'], bounceDomain: BOUNCE_DOMAIN, bounceListenerPort });
    sut = await startTestApp({
      env: { SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, BOUNCE_SMTP_PORT: String(bounceListenerPort), BOUNCE_SMTP_HOST: '127.0.0.1', BOUNCE_DOMAIN },
    });
  }, 120_000);

  afterAll(async () => {
    await sut?.close();
    await postfix?.stop();
  });

  async function runAt(at: Date): Promise<string> {
    const res = await request(sut.url).post('/digests/run').set(asEditor).send({ at: at.toISOString() }).expect(202);
    return res.body.runId;
  }

  it('suppresses a mailbox Postfix bounced, from Postfix’s own DSN, and the next digest run skips it', async () => {
    const at = new Date('2026-06-01T07:00:00Z');
    const reader = await aReader(sut.prisma, { email: `no-such-mailbox-${Date.now()}@readers.test`, tags: ['postfix'], nextDigestAt: at });
    await anArticle(sut.prisma, { tags: ['postfix'], title: 'A story for a mailbox that does not exist', publishedAt: new Date(at.getTime() - HOUR) });
    const hardBefore = await metric(sut, 'dispatch_bounces_total', { type: 'hard', source: 'smtp' });

    const firstRun = await runAt(at);

    const digest = await eventually(async () => (await sut.prisma.delivery.findFirst({ where: { runId: firstRun, subscriberId: reader.id, status: 'sent' } })) ?? undefined, 30_000);
    await eventually(async () => ((await isSuppressed(sut, reader.email)) ? true : undefined), 60_000, 250);
    expect(await sut.prisma.delivery.findUniqueOrThrow({ where: { id: digest.id } })).toMatchObject({ feedback: 'bounced' });
    expect(await metric(sut, 'dispatch_bounces_total', { type: 'hard', source: 'smtp' })).toBe(hardBefore + 1);
    const runStatus = await request(sut.url).get(`/digests/runs/${firstRun}`).set(asEditor).expect(200);
    expect(runStatus.body).toMatchObject({ runId: firstRun });

    const next = new Date(at.getTime() + 24 * HOUR);
    await anArticle(sut.prisma, { tags: ['postfix'], title: 'The next day’s story', publishedAt: new Date(next.getTime() - HOUR) });
    const secondRun = await runAt(next);
    await eventually(async () => ((await request(sut.url).get(`/digests/runs/${secondRun}`).set(asEditor)).body.status === 'finished' ? true : undefined));
    // Give the outbox the time it took to send the first digest, then check nothing went to the suppressed reader.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await sut.prisma.delivery.count({ where: { runId: secondRun, subscriberId: reader.id, status: 'sent' } })).toBe(0);
  });
});
