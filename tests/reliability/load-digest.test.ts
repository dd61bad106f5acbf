import { loadavg } from 'node:os';
import request from 'supertest';
import { ServiceProcess } from '../support/service-process';
import { cpuSeconds, editor, emailsTo, expectCleanLedger, FAST_FAILOVER, Ledger, metric, outboxSettled, rssBytes, someReaders } from './fixtures';

jest.setTimeout(420_000);

// RELIABILITY.md L1: a digest run fanned out to 5,000 readers — twice the 2,500
// that a CI run of bench/digest can afford here (the full benchmark uses
// 100,000) — through an SMTP server that takes 20 ms to accept each message.
// No pool may time out (every row sent on its first attempt, no error logged),
// memory must stay flat while the outbox drains, and the ledger must be clean.

const READERS = 5_000;
const SMTP_DELAY_MS = 20;
const HOUR = 3_600_000;

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);


describe('A digest run to 5,000 readers through a slow SMTP server', () => {
  let service: ServiceProcess;

  beforeAll(async () => {
    // Production-like lease: a slow server must not push rows into the uncertain path.
    service = await ServiceProcess.start({ env: { ...FAST_FAILOVER, DELIVERY_LEASE_SECONDS: '120' } });
  });

  afterAll(async () => {
    await service?.close();
  });

  it('sends every digest once, without pool timeouts or retries, in flat memory', async () => {
    const at = new Date('2026-11-23T07:00:00Z');
    const readers = await someReaders(service.prisma, READERS, (i) => ({ tags: [`l1-${i % 10}`, 'l1-all'], nextDigestAt: new Date(0) }));
    await service.prisma.article.createMany({
      data: Array.from({ length: 40 }, (_, i) => ({
        id: `l1-story-${i}`,
        title: `L1 story ${i}`,
        url: `https://news.example.com/l1-${i}`,
        summary: `What happened in story ${i}, at some length so that digests weigh what real ones do. `.repeat(3),
        tags: [`l1-${i % 10}`],
        publishedAt: new Date(at.getTime() - ((i % 20) + 1) * HOUR),
      })),
    });
    service.smtp.delay(SMTP_DELAY_MS);
    const pid = service.pid as number;
    const samples: number[] = [rssBytes(pid)];
    const sampler = setInterval(() => samples.push(rssBytes(pid)), 250);

    const started = Date.now();
    const serviceCpuBefore = cpuSeconds(pid);
    const testCpuBefore = process.cpuUsage();
    try {
      const run = await request(service.url).post('/digests/run').set(editor).send({ at: at.toISOString() });
      expect(run.status).toBe(202);
      expect(run.body.due).toBe(READERS);
      await service.smtp.waitFor(READERS, 300_000);
      await outboxSettled(service.prisma, 120_000);
    } finally {
      clearInterval(sampler);
    }
    const elapsedMs = Date.now() - started;
    const serviceCpu = cpuSeconds(pid) - serviceCpuBefore;
    const testCpuUsage = process.cpuUsage(testCpuBefore);
    const testCpu = (testCpuUsage.user + testCpuUsage.system) / 1e6;

    const rows = await service.prisma.delivery.findMany({ where: { kind: 'digest' }, select: { status: true, attempts: true } });
    expect(rows).toHaveLength(readers.length);
    expect(rows.filter((row) => row.status !== 'sent' || row.attempts !== 1)).toEqual([]);
    expect(await metric(service.url, 'dispatch_deliveries_retried_total')).toBe(0);
    expect(service.logs().filter((line) => /"level":(50|60)/.test(line))).toEqual([]);
    await expectCleanLedger(service, new Ledger().expect(emailsTo(readers, 'digest')));

    // Flat: the last quarter of the drain holds no more than the first quarter did, give or take GC.
    const quarter = Math.max(1, Math.floor(samples.length / 4));
    const early = Math.max(...samples.slice(0, quarter));
    const late = Math.max(...samples.slice(-quarter));
    expect(late).toBeLessThanOrEqual(early * 1.25 + 32 * 1024 * 1024);
    process.stdout.write(
      `L1: ${READERS} digests in ${elapsedMs} ms at ${SMTP_DELAY_MS} ms per SMTP answer (service ${serviceCpu.toFixed(1)} CPU s, test process with the SMTP sink ${testCpu.toFixed(1)} CPU s, load average ${loadavg()[0].toFixed(1)}); RSS start ${mb(samples[0])} MB, peak ${mb(Math.max(...samples))} MB, first-quarter peak ${mb(early)} MB, last-quarter peak ${mb(late)} MB\n`,
    );
  });
});
