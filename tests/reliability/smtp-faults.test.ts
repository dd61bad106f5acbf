import request from 'supertest';
import { setTimeout as sleep } from 'node:timers/promises';
import { emailHash } from '../../src/suppression/email-hash';
import { MIN_DELAY_MS } from '../../src/deliveries/retry-policy';
import { eventually } from '../support/app';
import { ServiceProcess } from '../support/service-process';
import type { SinkEvent } from '../support/smtp-sink';
import { anArticleEvent, editor, emailsTo, expectCleanLedger, FAST_FAILOVER, Ledger, outboxSettled, receivedCounts, Reader, someReaders } from './fixtures';

jest.setTimeout(240_000);

// RELIABILITY.md F8–F10 (and issue 8's 552): an SMTP server that drops
// connections mid-DATA, answers 4xx for a while, or refuses one recipient. The
// sink in the test process misbehaves on command and keeps every answer it gave
// with its time and recipient, which is what the assertions read.

/** Sink events per recipient, in order. */
function attemptsByRecipient(events: readonly SinkEvent[], readers: readonly Reader[]): Map<string, SinkEvent[]> {
  const wanted = new Set(readers.map((reader) => reader.email));
  const byRecipient = new Map<string, SinkEvent[]>();
  for (const event of events) {
    if (!event.recipient || !wanted.has(event.recipient)) continue;
    byRecipient.set(event.recipient, [...(byRecipient.get(event.recipient) ?? []), event]);
  }
  return byRecipient;
}

function gapsOf(attempts: readonly SinkEvent[]): number[] {
  return attempts.slice(1).map((event, i) => event.at.getTime() - attempts[i].at.getTime());
}

describe('An SMTP server that misbehaves', () => {
  let service: ServiceProcess;
  const ledger = new Ledger();

  beforeAll(async () => {
    service = await ServiceProcess.start({ env: { ...FAST_FAILOVER, SMTP_POOL_SIZE: '2' } });
  });

  afterAll(async () => {
    await service?.close();
  });

  async function alertTo(tag: string): Promise<string> {
    const res = await request(service.url)
      .post('/alerts')
      .set(editor)
      .send({ article: anArticleEvent({ id: `${tag}-story`, tags: [tag], publishedAt: new Date().toISOString() }) });
    expect(res.status).toBe(202);
    return (res.body as { alertId: string }).alertId;
  }

  it('F8: connections reset mid-DATA are retried a bounded number of times, then all delivered exactly once', async () => {
    const readers = await someReaders(service.prisma, 5, () => ({ tags: ['f8'] }));
    // Every message loses its connection mid-DATA for a while.
    service.smtp.dropConnectionMidData(Number.MAX_SAFE_INTEGER);
    const alertId = await alertTo('f8');
    ledger.expect(emailsTo(readers, 'alert', alertId));
    await sleep(12_000);
    const dropped = service.smtp.events.filter((event) => event.outcome === 'dropped' && readers.some((reader) => reader.email === event.recipient));
    service.smtp.dropConnectionMidData(0);

    await eventually(async () => ((await service.prisma.delivery.count({ where: { alertId, status: 'sent' } })) === readers.length ? true : undefined), 90_000);
    const rows = await service.prisma.delivery.findMany({ where: { alertId } });
    // 12 s of backoff from 1–2 s upwards allows at most ~5 outbox attempts per row; each may be
    // re-queued once by the pool (maxRequeues), so a resend loop would show as far more drops.
    expect(dropped.length).toBeGreaterThanOrEqual(readers.length);
    expect(dropped.length).toBeLessThanOrEqual(readers.length * 5 * 2);
    expect(Math.max(...rows.map((row) => row.attempts))).toBeLessThanOrEqual(6);
    for (const attempts of attemptsByRecipient(dropped, readers).values()) {
      // The pool's own re-queue may follow at once; the outbox's retries never come sooner than its floor.
      const outboxRetries = gapsOf(attempts).filter((gap) => gap >= 500);
      expect(outboxRetries.every((gap) => gap >= MIN_DELAY_MS - 100)).toBe(true);
    }
    const counts = receivedCounts(service.smtp);
    expect(rows.map((row) => counts.get(row.messageId))).toEqual(readers.map(() => 1));
    await expectCleanLedger(service, ledger);
    process.stdout.write(`F8: ${dropped.length} dropped DATA phases for ${readers.length} messages in 12 s; attempts per row ${rows.map((row) => row.attempts).join(',')}\n`);
  });

  it('F9: 451 and 421 for a while are retried with growing, jittered backoff, never in a tight loop, and all delivered after', async () => {
    const readers = await someReaders(service.prisma, 6, () => ({ tags: ['f9'] }));
    // Three failures per message on average: the first rounds answer 451, then 421.
    service.smtp.failNext(12, 451, '4.7.1 Greylisted, try again later');
    const alertId = await alertTo('f9');
    ledger.expect(emailsTo(readers, 'alert', alertId));
    const failures = () => [...attemptsByRecipient(service.smtp.events, readers).values()].flat().filter((event) => event.outcome === 'failed');
    await eventually(async () => (failures().length >= 12 ? true : undefined), 60_000);
    service.smtp.failNext(6, 421, '4.3.2 Service shutting down, closing transmission channel');

    await eventually(async () => ((await service.prisma.delivery.count({ where: { alertId, status: 'sent' } })) === readers.length ? true : undefined), 120_000);
    const byRecipient = attemptsByRecipient(service.smtp.events, readers);
    const gaps = [...byRecipient.values()].map(gapsOf);
    // Never faster than the floor: no tight loop, whatever the server answers.
    expect(gaps.flat().every((gap) => gap >= MIN_DELAY_MS - 100)).toBe(true);
    // Full jitter: the messages that failed together did not come back together.
    const firstRetries = [...byRecipient.values()].filter((attempts) => attempts.length > 1).map((attempts) => attempts[1].at.getTime());
    expect(Math.max(...firstRetries) - Math.min(...firstRetries)).toBeGreaterThan(50);
    expect(failures().map((event) => event.code).sort()).toEqual([...Array(6).fill(421), ...Array(12).fill(451)]);
    const rows = await service.prisma.delivery.findMany({ where: { alertId } });
    const counts = receivedCounts(service.smtp);
    expect(rows.map((row) => counts.get(row.messageId))).toEqual(readers.map(() => 1));
    await expectCleanLedger(service, ledger);
    process.stdout.write(`F9: retry gaps per message (ms): ${gaps.map((g) => g.join('/')).join('  ')}\n`);
  });

  it('F10: 550 5.1.1 for one recipient fails that delivery, suppresses the address and spares the others; 552 fails without suppressing', async () => {
    const readers = await someReaders(service.prisma, 8, () => ({ tags: ['f10'] }));
    const [unknown, full, ...others] = readers;
    service.smtp.rejectRecipient(unknown.email, 550, '5.1.1 <unknown> Recipient address rejected: user unknown');
    service.smtp.rejectRecipient(full.email, 552, '5.2.2 Mailbox full');
    const alertId = await alertTo('f10');
    // RCPT TO refused for these two: their first alert never arrives, and the unknown address gets nothing more.
    ledger.expect(emailsTo(others, 'alert', alertId)).forbid([unknown], 'suppressed after 550 5.1.1');

    await eventually(async () => ((await service.prisma.delivery.count({ where: { alertId, status: { in: ['sent', 'failed'] } } })) === readers.length ? true : undefined), 60_000);
    const rows = new Map((await service.prisma.delivery.findMany({ where: { alertId } })).map((row) => [row.subscriberId, row]));
    expect(rows.get(unknown.id)).toMatchObject({ status: 'failed', attempts: 1 });
    expect(rows.get(full.id)).toMatchObject({ status: 'failed', attempts: 1 });
    expect(others.map((reader) => rows.get(reader.id)?.status)).toEqual(others.map(() => 'sent'));
    expect(await service.prisma.suppression.findUnique({ where: { emailHash: emailHash(unknown.email) } })).not.toBeNull();
    expect(await service.prisma.suppression.findUnique({ where: { emailHash: emailHash(full.email) } })).toBeNull();
    expect((await service.prisma.subscriber.findUniqueOrThrow({ where: { id: full.id } })).softBounces).toBe(1);
    // Stored errors name no address.
    expect(rows.get(unknown.id)?.lastError).not.toContain(unknown.email);

    // The next email for the suppressed address is not even offered to the server.
    const rejectionsBefore = service.smtp.events.filter((event) => event.outcome === 'recipient-rejected' && event.recipient === unknown.email).length;
    const next = await request(service.url).post('/alerts').set(editor).send({ articleId: 'f10-story', resend: true });
    expect(next.status).toBe(202);
    const nextId = (next.body as { alertId: string }).alertId;
    // The full mailbox still refuses at RCPT TO: only the others can get the second alert.
    ledger.expect(emailsTo(others, 'alert', nextId));
    expect((next.body as { recipients: number }).recipients).toBe(readers.length - 1);
    await eventually(async () => ((await service.prisma.delivery.count({ where: { alertId: nextId, status: { in: ['sent', 'failed', 'skipped'] } } })) === readers.length - 1 ? true : undefined), 60_000);
    expect(await service.prisma.delivery.count({ where: { alertId: nextId, subscriberId: unknown.id } })).toBe(0);
    expect(service.smtp.events.filter((event) => event.outcome === 'recipient-rejected' && event.recipient === unknown.email)).toHaveLength(rejectionsBefore);
    await outboxSettled(service.prisma);
    await expectCleanLedger(service, ledger);
  });

  it('a server slower than the lease: emails waiting for a free SMTP connection stay leased, none goes out twice', async () => {
    // Two connections, eight senders: a send waits for a connection far longer than the 5 s lease.
    const readers = await someReaders(service.prisma, 24, () => ({ tags: ['slow-server'] }));
    service.smtp.delay(2_500);
    const alertId = await alertTo('slow-server');
    ledger.expect(emailsTo(readers, 'alert', alertId));
    try {
      await eventually(async () => ((await service.prisma.delivery.count({ where: { alertId, status: 'sent' } })) === readers.length ? true : undefined), 120_000);
    } finally {
      service.smtp.delay(0);
    }
    const rows = await service.prisma.delivery.findMany({ where: { alertId }, select: { messageId: true, attempts: true, uncertainResends: true } });
    expect(rows.filter((row) => row.attempts !== 1 || row.uncertainResends !== 0)).toEqual([]);
    const counts = receivedCounts(service.smtp);
    expect(rows.map((row) => counts.get(row.messageId))).toEqual(readers.map(() => 1));
    await expectCleanLedger(service, ledger);
  });
});
