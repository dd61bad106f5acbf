import { EDITOR_KEY, eventually } from '../../support/app';
import { anArticleEvent } from '../../support/builders';
import { produce } from '../../support/kafka';
import { checkLedger, deliveryRows, emailsTo, formatLedger } from '../../support/ledger';
import { ServiceProcess } from '../../support/service-process';
import { committedOffsets, endOffsets } from '../../support/kafka-offsets';

jest.setTimeout(300_000);

const READERS = 60;
const SMTP_DELAY_MS = 250;

function articleMessage(id: string) {
  const event = anArticleEvent({ id, title: `Chip export rules, part ${id}`, url: `https://example.com/news/${id}`, tags: ['aichips'], publishedAt: new Date().toISOString() });
  return { key: id, value: JSON.stringify(event) };
}

// F11: the whole service as a process, SIGTERMed while an alert fan-out is being
// sent through a slow SMTP server. It must exit 0 on its own, leave nothing
// 'sending', keep its offsets committed, and the next start sends the rest, once.
describe('SIGTERM in the middle of an alert fan-out', () => {
  let service: ServiceProcess;

  beforeAll(async () => {
    service = await ServiceProcess.start({
      env: { LOG_LEVEL: 'info', SMTP_POOL_SIZE: '2', DELIVERY_BATCH_SIZE: '10', KAFKA_TOPIC_PARTITIONS: '2' },
    });
  });

  afterAll(async () => {
    await service?.close();
  });

  it('exits 0 with every claimed row sent or given back, offsets committed, and the rest sent once after a restart', async () => {
    const { prisma, smtp, topics } = service;
    const brokers = (service.env.KAFKA_BROKERS ?? '').split(',');
    await produce(brokers, topics.articles, ['sigterm-1', 'sigterm-2', 'sigterm-3'].map(articleMessage));
    await eventually(async () => ((await prisma.article.count()) === 3 ? true : undefined), 60_000);
    await prisma.subscriber.createMany({
      data: Array.from({ length: READERS }, (_, i) => ({
        email: `reader${i}@sigterm.example`,
        status: 'confirmed' as const,
        tags: ['aichips'],
        confirmedAt: new Date(),
      })),
    });
    smtp.delay(SMTP_DELAY_MS);

    const response = await fetch(`${service.url}/alerts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${EDITOR_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ articleId: 'sigterm-1' }),
    });
    expect(response.status).toBe(202);
    const { alertId, recipients } = (await response.json()) as { alertId: string; recipients: number };
    expect(recipients).toBe(READERS);

    await smtp.waitFor(5);
    const exit = await service.sigterm();

    expect(exit).toEqual({ code: 0, signal: null });
    await service.waitForLog(/"msg":"shut down cleanly"/, 1000);
    const byStatus = await countByStatus(service);
    expect(byStatus.sending ?? 0).toBe(0);
    expect(byStatus.uncertain ?? 0).toBe(0);
    // Stopped mid-run: some rows were still waiting, and everything the server accepted is recorded as sent.
    expect(byStatus.queued ?? 0).toBeGreaterThan(0);
    expect(byStatus.sent).toBe(smtp.messages.length);
    const committed = await committedOffsets(brokers, topics.group, topics.articles);
    expect(committed).toEqual(await endOffsets(brokers, topics.articles));

    smtp.delay(0);
    await service.restart();
    await smtp.waitFor(READERS, 120_000);
    await eventually(async () => ((await countByStatus(service)).sent === READERS ? true : undefined), 60_000).catch(async (error: Error) => {
      // Seen once in CI and not reproduced since: say what the outbox and the service saw.
      const rows = await service.prisma.delivery.findMany({ where: { status: { not: 'sent' } }, select: { id: true, status: true, attempts: true, lastError: true, nextAttemptAt: true } });
      throw new Error(`${error.message}; not sent: ${JSON.stringify(rows, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value))}; ` +
        `${smtp.messages.length} messages at the SMTP server; service warnings and delivery lines:\n` +
        service.logs().filter((line) => /"level":[45]\d|deliveryId|shut/.test(line)).slice(-40).join('\n'));
    });
    const readers = Array.from({ length: READERS }, (_, i) => ({ email: `reader${i}@sigterm.example` }));
    const ledger = checkLedger({ expected: emailsTo(readers, 'alert', alertId), received: smtp.messages, rows: await deliveryRows(prisma), connectionsInUse: 2 });
    // A clean stop leaves nothing uncertain: not even an excused duplicate.
    expect({ clean: ledger.clean, uncertain: ledger.uncertain.length, report: formatLedger(ledger) }).toMatchObject({ clean: true, uncertain: 0 });
    expect(smtp.messages).toHaveLength(READERS);
    await eventually(async () => ((await prisma.alert.findUnique({ where: { id: alertId } }))?.status === 'sent' ? true : undefined), 30_000);
  });
});

async function countByStatus(service: ServiceProcess): Promise<Record<string, number>> {
  const groups = await service.prisma.delivery.groupBy({ by: ['status'], _count: { _all: true } });
  return Object.fromEntries(groups.map((group) => [group.status, group._count._all]));
}
