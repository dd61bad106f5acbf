import type { NestExpressApplication } from '@nestjs/platform-express';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../src/generated/prisma/client';
import { createApp } from '../../src/main';
import { AppConfig, loadConfig } from '../../src/config/config';
import { Clock } from '../../src/common/clock';
import { freePort } from '../../scripts/infra/net';
import { createTestDatabase, TestDatabase } from './database';
import { serviceEnv, uniqueTopics } from './service-env';
import { SmtpSink } from './smtp-sink';

export { EDITOR_KEY } from './service-env';

export interface TestAppOptions {
  /** Extra or overriding environment variables. */
  env?: Record<string, string>;
  /** Share a database / SMTP sink / topics with another instance (scale-out tests). */
  db?: TestDatabase;
  smtp?: SmtpSink;
  topics?: { articles: string; dlq: string; group: string };
  clock?: Clock;
  /** Hosts the SES webhook may fetch SNS certificates from (a test's own https server). */
  snsHosts?: RegExp;
  /** The HTTPS agent web pushes go through (one that trusts a TestPushService's certificate). */
  pushAgent?: import('node:https').Agent;
}

/**
 * The whole service, in-process, on real infrastructure: its own cloned
 * database, its own topics and consumer group on the shared broker, and an
 * SMTP sink listening on TCP. `close()` tears down only what it created.
 */
export interface TestApp {
  app: NestExpressApplication;
  url: string;
  config: AppConfig;
  db: TestDatabase;
  smtp: SmtpSink;
  topics: { articles: string; dlq: string; group: string };
  /** A client of its own for assertions, outside the app's pool. */
  prisma: PrismaClient;
  close(): Promise<void>;
}

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const db = options.db ?? (await createTestDatabase());
  const smtp = options.smtp ?? (await SmtpSink.start());
  const topics = options.topics ?? uniqueTopics();
  const port = await freePort();
  const config = loadConfig(
    serviceEnv({
      port,
      databaseUrl: db.url,
      smtpUrl: smtp.url,
      topics,
      clientId: 'dispatch-test',
      logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
      overrides: options.env,
    }),
  );
  const app = await createApp(config, { clock: options.clock, snsHosts: options.snsHosts, pushAgent: options.pushAgent });
  await app.listen(port, '127.0.0.1');
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: db.url, max: 4 }) });
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    config,
    db,
    smtp,
    topics,
    prisma,
    async close() {
      await app.close();
      await prisma.$disconnect();
      if (!options.smtp) await smtp.close();
      if (!options.db) await db.drop();
    },
  };
}

/** Polls until `check` returns a value that is not undefined, or fails with what it last saw. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 20_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`condition not met within ${timeoutMs} ms${lastError ? `: ${(lastError as Error).message}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
