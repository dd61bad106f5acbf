import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import request from 'supertest';
import { PrismaClient } from '../../../src/generated/prisma/client';
import { freePort } from '../../../scripts/infra/net';
import { EDITOR_KEY, eventually } from '../../support/app';
import { createTestDatabase, TestDatabase } from '../../support/database';
import { kafkaBrokers, uniqueName } from '../../support/kafka';
import { assertCleanLedger, checkLedger, deliveryRows, emailsTo } from '../../support/ledger';
import { SmtpSink } from '../../support/smtp-sink';
import { digestMails, someSubscribers } from './digest-fixtures';

jest.setTimeout(240_000);

const REPO = join(__dirname, '..', '..', '..');
const READERS = 1_000;
// In the past: POST /digests/run refuses an instant more than 7 days ahead of the service's clock.
const AT = new Date('2026-08-03T07:00:00Z');

interface ServiceProcess {
  child: ChildProcess;
  url: string;
}

async function startService(env: Record<string, string>): Promise<ServiceProcess> {
  const port = await freePort();
  const child = fork(join(__dirname, 'digest-service-process.ts'), [], {
    execArgv: ['-r', join(REPO, 'scripts', 'swc-register.js')],
    env: { ...process.env, ...env, PORT: String(port), PUBLIC_BASE_URL: `http://127.0.0.1:${port}` },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`service process exited with ${code} before it was ready`)));
    child.on('message', (message: { type?: string }) => message.type === 'ready' && resolve());
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

function kill(service: ServiceProcess): Promise<void> {
  if (service.child.exitCode !== null || service.child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => service.child.once('exit', () => resolve()));
  service.child.kill('SIGKILL');
  return exited;
}

describe('A service killed with SIGKILL in the middle of a digest run, then restarted', () => {
  let db: TestDatabase;
  let smtp: SmtpSink;
  let prisma: PrismaClient;
  const services: ServiceProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    smtp = await SmtpSink.start();
    prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: db.url, max: 2 }) });
  });

  afterAll(async () => {
    for (const service of services) await kill(service);
    await prisma?.$disconnect();
    await smtp?.close();
    await db?.drop();
  });

  it('delivers every due digest, none twice except counted uncertain resends', async () => {
    const readers = await someSubscribers(prisma, READERS, (i) => ({ tags: [`crash-${i % 5}`] }));
    await prisma.article.createMany({
      data: Array.from({ length: 20 }, (_, i) => ({
        id: `crash-story-${i}`,
        title: `Crash story ${i}`,
        url: `https://news.example.com/crash-${i}`,
        tags: [`crash-${i % 5}`],
        publishedAt: new Date(AT.getTime() - (i + 1) * 3_600_000),
      })),
    });
    const group = uniqueName('digest-crash');
    const env = {
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      KAFKA_BROKERS: kafkaBrokers().join(','),
      KAFKA_GROUP_ID: group,
      KAFKA_TOPIC_ARTICLES: `${group}-articles`,
      KAFKA_TOPIC_DLQ: `${group}-dlq`,
      SMTP_URL: smtp.url,
      SMTP_POOL_SIZE: '2',
      MAIL_FROM: 'Dispatch <news@dispatch.test>',
      EDITOR_API_KEYS: EDITOR_KEY,
      DIGEST_TICK_CRON: '0 0 1 1 *',
      DELIVERY_LEASE_SECONDS: '30',
      LOG_LEVEL: 'silent',
    };
    const run = (service: ServiceProcess) =>
      request(service.url).post('/digests/run').set({ Authorization: `Bearer ${EDITOR_KEY}` }).send({ at: AT.toISOString() }).expect(202);
    // Slow enough that the kill lands while the outbox is mid-way (and the run possibly still deciding).
    smtp.delay(5);

    const first = await startService(env);
    services.push(first);
    const started = await run(first);
    expect(started.body.due).toBe(READERS);
    await smtp.waitFor(1, 60_000);
    await kill(first);
    const sentBeforeKill = smtp.messages.length;

    const second = await startService(env);
    services.push(second);
    smtp.delay(0);
    // What the next tick after a restart does: run at (or after) the same instant.
    await run(second);
    await eventually(async () => {
      const open = await prisma.delivery.count({ where: { status: { in: ['queued', 'sending', 'uncertain'] } } });
      const due = await prisma.subscriber.count({ where: { nextDigestAt: { lte: AT } } });
      return open === 0 && due === 0 ? true : undefined;
    }, 180_000, 250);

    expect(sentBeforeKill).toBeLessThan(READERS);
    assertCleanLedger(checkLedger({ expected: emailsTo(readers, 'digest'), received: smtp.messages, rows: await deliveryRows(prisma), connectionsInUse: Number(env.SMTP_POOL_SIZE) }));
    const rows = await prisma.delivery.findMany({ where: { kind: 'digest' }, select: { subscriberId: true, status: true } });
    expect(rows).toHaveLength(READERS);
    expect(rows.every((row) => row.status === 'sent')).toBe(true);
    expect(new Set(digestMails(smtp.messages).map((mail) => mail.subscriberId))).toEqual(new Set(readers.map((r) => r.id)));
  });
});
