import request from 'supertest';
import { signToken } from '../../src/subscriptions/tokens';
import { eventually } from '../support/app';
import { ServiceProcess } from '../support/service-process';
import { editor, emailsTo, expectCleanLedger, FAST_FAILOVER, Ledger, outboxSettled, Reader, someReaders } from './fixtures';

jest.setTimeout(240_000);

// RELIABILITY.md E1: a reader unsubscribes after their digest was queued but
// before it went out — whether the row still waits in the outbox or has already
// been claimed by a sender that is busy with the rows ahead of it. Unsubscribing
// is the real one-click POST with a link signed like the ones in our emails.

const TOKEN_SECRET = 'reliability-test-token-secret';
const HOUR = 3_600_000;

describe('A reader who unsubscribes between queueing and sending', () => {
  let service: ServiceProcess;

  const ledger = new Ledger();

  beforeAll(async () => {
    // One slow SMTP connection: a claimed batch takes many seconds to go out.
    service = await ServiceProcess.start({ env: { ...FAST_FAILOVER, TOKEN_SECRET, SMTP_POOL_SIZE: '1', DELIVERY_BATCH_SIZE: '100' } });
  });

  afterAll(async () => {
    await service?.close();
  });

  const unsubscribe = (reader: Reader) => {
    const token = signToken(TOKEN_SECRET, { purpose: 'unsubscribe', subscriberId: reader.id, version: 0 });
    return request(service.url).post(`/unsubscribe?token=${encodeURIComponent(token)}`).type('form').send('List-Unsubscribe=One-Click');
  };

  it('gets no digest, whether their row was still queued or already claimed', async () => {
    const at = new Date('2026-11-23T07:00:00Z');
    const readers = await someReaders(service.prisma, 300, () => ({ tags: ['e1'], nextDigestAt: new Date(0) }));
    await service.prisma.article.create({
      data: { id: 'e1-story', title: 'E1 story', url: 'https://news.example.com/e1', tags: ['e1'], publishedAt: new Date(at.getTime() - HOUR) },
    });
    service.smtp.delay(150);

    const run = await request(service.url).post('/digests/run').set(editor).send({ at: at.toISOString() });
    expect(run.status).toBe(202);
    const digestOf = async (reader: Reader) => service.prisma.delivery.findFirst({ where: { kind: 'digest', subscriberId: reader.id } });
    await eventually(async () => ((await service.prisma.delivery.count({ where: { kind: 'digest' } })) === readers.length ? true : undefined), 60_000);
    await service.smtp.waitFor(1, 60_000);

    // Claimed (leased to a sender) but not sent yet: the last of the rows in hand.
    const claimed = await service.prisma.delivery.findMany({ where: { kind: 'digest', status: 'sending' }, orderBy: { id: 'desc' }, take: 1 });
    expect(claimed).toHaveLength(1);
    const claimedReader = readers.find((reader) => reader.id === claimed[0].subscriberId) as Reader;
    // Still queued: the very last row of the run.
    const queued = await service.prisma.delivery.findMany({ where: { kind: 'digest', status: 'queued' }, orderBy: { id: 'desc' }, take: 1 });
    expect(queued).toHaveLength(1);
    const queuedReader = readers.find((reader) => reader.id === queued[0].subscriberId) as Reader;

    expect((await unsubscribe(claimedReader)).status).toBe(200);
    expect((await unsubscribe(queuedReader)).status).toBe(200);
    service.smtp.delay(0);
    await outboxSettled(service.prisma, 120_000);

    const received = service.smtp.messages.flatMap((mail) => mail.envelope.to);
    expect(received.filter((to) => to === claimedReader.email || to === queuedReader.email)).toEqual([]);
    expect(await digestOf(claimedReader)).toMatchObject({ status: 'skipped' });
    expect(await digestOf(queuedReader)).toMatchObject({ status: 'skipped' });
    expect(received).toHaveLength(readers.length - 2);
    const unsubscribed = [claimedReader, queuedReader];
    ledger.expect(emailsTo(readers.filter((reader) => !unsubscribed.includes(reader)), 'digest', '2026-11-23')).forbid(unsubscribed, 'unsubscribed before the send');
    await expectCleanLedger(service, ledger);
  });

  it('gets no digest when their message is already waiting for the busy SMTP connection', async () => {
    const at = new Date('2026-11-24T07:00:00Z');
    const readers = await someReaders(service.prisma, 20, () => ({ tags: ['e1-wire'], nextDigestAt: new Date(0) }));
    await service.prisma.article.create({
      data: { id: 'e1-wire-story', title: 'E1 story, on the wire', url: 'https://news.example.com/e1-wire', tags: ['e1-wire'], publishedAt: new Date(at.getTime() - HOUR) },
    });
    const before = service.smtp.messages.length;
    service.smtp.delay(1_000);

    const run = await request(service.url).post('/digests/run').set(editor).send({ at: at.toISOString() });
    expect(run.status).toBe(202);
    await service.smtp.waitFor(before + 1, 60_000);
    // Rows go out in id order over the one connection: the first is accepted, the second is
    // on the wire for a second, and the senders hold the next ones composed, each waiting
    // for that connection. The fourth has been in a sender's hands, checked, since the claim.
    const rows = await service.prisma.delivery.findMany({ where: { kind: 'digest', subscriberId: { in: readers.map((reader) => reader.id) } }, orderBy: { id: 'asc' } });
    expect(rows).toHaveLength(readers.length);
    const waiting = readers.find((reader) => reader.id === rows[3].subscriberId) as Reader;

    expect((await unsubscribe(waiting)).status).toBe(200);
    service.smtp.delay(0);
    await outboxSettled(service.prisma, 120_000);

    const received = service.smtp.messages.slice(before).flatMap((mail) => mail.envelope.to);
    expect(received).not.toContain(waiting.email);
    expect(await service.prisma.delivery.findUnique({ where: { id: rows[3].id } })).toMatchObject({ status: 'skipped' });
    expect(received).toHaveLength(readers.length - 1);
    ledger.expect(emailsTo(readers.filter((reader) => reader !== waiting), 'digest', '2026-11-24')).forbid([waiting], 'unsubscribed while its email waited for the connection');
    await expectCleanLedger(service, ledger);
  });
});
