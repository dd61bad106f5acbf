import request from 'supertest';
import { eventually } from '../support/app';
import { ServiceProcess } from '../support/service-process';
import {
  anArticleEvent,
  caughtUp,
  committedTotal,
  editor,
  emailsTo,
  expectCleanLedger,
  FAST_FAILOVER,
  Ledger,
  manyArticleEvents,
  metric,
  outboxSettled,
  publishEvents,
  someReaders,
} from './fixtures';

jest.setTimeout(300_000);

// RELIABILITY.md F11: SIGTERM while the consumer is mid-stream and while emails are
// on the wire. The process must stop claiming, let in-flight sends finish and record
// them, commit exactly what it stored, exit 0 inside its grace period (past 25 s it
// exits 1 by design) and leave nothing `sending` — so the next start resends nothing.

describe('SIGTERM during consumption and during a send', () => {
  let service: ServiceProcess;

  beforeAll(async () => {
    // One partition: offsets below the committed one are exactly the stored articles.
    service = await ServiceProcess.start({ env: { ...FAST_FAILOVER, KAFKA_TOPIC_PARTITIONS: '1', SMTP_POOL_SIZE: '4' } });
  });

  afterAll(async () => {
    await service?.close();
  });

  it('finishes what is in flight, commits what it stored, exits 0 with nothing left sending, and the next start resends nothing', async () => {
    const brokers = service.env.KAFKA_BROKERS.split(',');
    const { articles, group } = service.topics;
    const readers = await someReaders(service.prisma, 300, () => ({ tags: ['f11'] }));
    // Each email takes the server a while to accept: plenty are on the wire at the signal.
    service.smtp.delay(400);
    const alert = await request(service.url)
      .post('/alerts')
      .set(editor)
      .send({ article: anArticleEvent({ id: 'f11-story', tags: ['f11'], publishedAt: new Date().toISOString() }) });
    expect(alert.status).toBe(202);
    const ledger = new Ledger().expect(emailsTo(readers, 'alert', (alert.body as { alertId: string }).alertId));
    await service.smtp.waitFor(20, 60_000);

    const events = manyArticleEvents('f11-stream', 20_000);
    await publishEvents(brokers, articles, events);
    await eventually(async () => ((await service.prisma.article.count({ where: { id: { startsWith: 'f11-stream-' } } })) > 0 ? true : undefined), 60_000, 50);

    const signalled = Date.now();
    const exit = await service.sigterm();
    const shutdownMs = Date.now() - signalled;
    expect(exit).toEqual({ code: 0, signal: null });

    expect(await service.prisma.delivery.count({ where: { status: 'sending' } })).toBe(0);
    const acceptedBeforeStop = new Set(service.smtp.messages.map((mail) => mail.messageId));
    // Every email the server accepted was recorded as sent before the process went, and nothing else was.
    const accepted = await service.prisma.delivery.findMany({
      where: { messageId: { in: [...acceptedBeforeStop].filter((id): id is string => id !== undefined) } },
      select: { messageId: true, status: true, attempts: true, lastError: true },
    });
    expect(accepted.filter((row) => row.status !== 'sent')).toEqual([]);
    expect(await service.prisma.delivery.count({ where: { status: 'sent' } })).toBe(acceptedBeforeStop.size);
    const committed = await committedTotal(brokers, group, articles);
    const stored = await service.prisma.article.findMany({ where: { id: { startsWith: 'f11-stream-' } }, select: { id: true }, orderBy: { publishedAt: 'asc' } });
    expect(stored.map((row) => row.id)).toEqual(events.slice(0, committed).map((event) => event.id));

    service.smtp.delay(0);
    await service.restart();
    await caughtUp(brokers, group, articles, 180_000);
    await outboxSettled(service.prisma, 120_000);
    expect(await service.prisma.article.count({ where: { id: { startsWith: 'f11-stream-' } } })).toBe(events.length);
    expect(await metric(service.url, 'dispatch_events_consumed_total')).toBe(events.length - committed);
    expect(await service.prisma.delivery.count({ where: { status: 'sent' } })).toBe(readers.length);
    const report = await expectCleanLedger(service, ledger);
    expect(report.uncertain).toEqual([]);
    expect(report.received).toBe(readers.length);
    process.stdout.write(`F11: SIGTERM to exit ${shutdownMs} ms; ${acceptedBeforeStop.size} emails and ${committed} events in before the stop\n`);
  });
});
