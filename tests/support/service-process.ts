import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../src/generated/prisma/client';
import { freePort } from '../../scripts/infra/net';
import { REPO_ROOT } from '../../scripts/infra/paths';
import { createTestDatabase, TestDatabase } from './database';
import { serviceEnv, ServiceTopics, uniqueTopics } from './service-env';
import { SmtpSink } from './smtp-sink';

export type { ServiceTopics } from './service-env';

export interface ServiceProcessOptions {
  /** Share a database / SMTP sink / topics with another instance (replicas of one deployment). */
  db?: TestDatabase;
  smtp?: SmtpSink;
  topics?: ServiceTopics;
  /** Extra or overriding environment variables (e.g. DELIVERY_LEASE_SECONDS, KAFKA_BROKERS). */
  env?: Record<string, string>;
  /** How long to wait for GET /health to answer 200. */
  readyTimeoutMs?: number;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const MAIN = join(REPO_ROOT, 'src', 'main.ts');
const REGISTER = join(__dirname, '..', '..', 'scripts', 'swc-register.js');
const LOG_LINES_KEPT = 5000;
const DEFAULT_READY_TIMEOUT_MS = 120_000;

/**
 * The whole service as a separate operating-system process (`node src/main.ts`
 * through SWC), so a test can crash it for real: SIGKILL gives it no chance to
 * commit, flush or release anything, which no in-process close() can imitate.
 * It gets its own port and, unless shared, its own cloned database, topics and
 * consumer group, and an SMTP sink in the test process; `restart()` starts it
 * again on the same port and configuration, as a supervisor would.
 */
export class ServiceProcess {
  readonly url: string;
  /** A client of the test's own for assertions, outside the service's pool. */
  readonly prisma: PrismaClient;
  private child?: ChildProcess;
  private exited?: Promise<ExitStatus>;
  private readonly lines: string[] = [];
  private readonly logWaiters = new Set<(line: string) => void>();

  private constructor(
    readonly port: number,
    readonly env: Readonly<Record<string, string>>,
    readonly db: TestDatabase,
    readonly smtp: SmtpSink,
    readonly topics: ServiceTopics,
    private readonly owns: { db: boolean; smtp: boolean },
    private readonly overrides: Readonly<Record<string, string>>,
    private readonly readyTimeoutMs: number,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: db.url, max: 4 }) });
  }

  static async start(options: ServiceProcessOptions = {}): Promise<ServiceProcess> {
    const db = options.db ?? (await createTestDatabase());
    const smtp = options.smtp ?? (await SmtpSink.start());
    const topics = options.topics ?? uniqueTopics();
    const port = await freePort();
    const env = serviceEnv({
      port,
      databaseUrl: db.url,
      smtpUrl: smtp.url,
      topics,
      clientId: 'dispatch-reliability',
      logLevel: process.env.TEST_SERVICE_LOG_LEVEL ?? 'warn',
      overrides: options.env,
    });
    const owns = { db: !options.db, smtp: !options.smtp };
    const service = new ServiceProcess(port, env, db, smtp, topics, owns, options.env ?? {}, options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
    try {
      await service.restart();
    } catch (error) {
      await service.close();
      throw error;
    }
    return service;
  }

  /** Another replica of the same deployment: same database, SMTP server, topics and group. */
  replica(env: Record<string, string> = {}): Promise<ServiceProcess> {
    return ServiceProcess.start({ db: this.db, smtp: this.smtp, topics: this.topics, env: { ...this.overrides, ...env }, readyTimeoutMs: this.readyTimeoutMs });
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the process (again) and waits until /health answers 200. */
  async restart(): Promise<void> {
    if (this.running) throw new Error('service is still running; kill9() or sigterm() it first');
    const env = { ...process.env, ...this.env, DISPATCH_TEST_OWNER_PID: String(process.pid) };
    const child = spawn(process.execPath, ['-r', REGISTER, MAIN], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.exited = new Promise<ExitStatus>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    for (const stream of [child.stdout, child.stderr]) {
      let partial = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop() ?? '';
        for (const line of parts) this.record(line);
      });
    }
    await this.waitUntilHealthy(child);
  }

  /** A crash: SIGKILL, then waits until the process is gone. */
  async kill9(): Promise<ExitStatus> {
    if (!this.running) return (await this.exited) ?? { code: null, signal: null };
    this.child?.kill('SIGKILL');
    return this.exited as Promise<ExitStatus>;
  }

  /** What an orchestrator does first: SIGTERM, then resolves with how the process ended. */
  async sigterm(): Promise<ExitStatus> {
    if (!this.running) return (await this.exited) ?? { code: null, signal: null };
    this.child?.kill('SIGTERM');
    return this.exited as Promise<ExitStatus>;
  }

  /** Resolves when the process has ended by itself or by a signal. */
  async exit(): Promise<ExitStatus> {
    return (await this.exited) ?? { code: null, signal: null };
  }

  /** Log lines the process wrote (pino JSON), oldest first; the last LOG_LINES_KEPT only. */
  logs(): readonly string[] {
    return this.lines;
  }

  /** Resolves with the first log line (seen so far or to come) that matches. */
  waitForLog(pattern: RegExp, timeoutMs = 60_000): Promise<string> {
    const seen = this.lines.find((line) => pattern.test(line));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = (line: string) => {
        if (!pattern.test(line)) return;
        clearTimeout(timer);
        this.logWaiters.delete(waiter);
        resolve(line);
      };
      const timer = setTimeout(() => {
        this.logWaiters.delete(waiter);
        reject(new Error(`service log: no line matching ${pattern} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.logWaiters.add(waiter);
    });
  }

  /** Kills the process if still running and frees what this instance created. */
  async close(): Promise<void> {
    await this.kill9();
    await this.prisma.$disconnect();
    if (this.owns.smtp) await this.smtp.close();
    if (this.owns.db) await this.db.drop();
  }

  private record(line: string): void {
    if (line.length === 0) return;
    this.lines.push(line);
    if (this.lines.length > LOG_LINES_KEPT) this.lines.splice(0, this.lines.length - LOG_LINES_KEPT);
    for (const waiter of [...this.logWaiters]) waiter(line);
  }

  private async waitUntilHealthy(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + this.readyTimeoutMs;
    let last = 'no answer';
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`service exited during start-up (${child.exitCode ?? child.signalCode}):\n${this.lines.slice(-30).join('\n')}`);
      }
      try {
        const res = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(5_000) });
        if (res.status === 200) return;
        last = `${res.status} ${await res.text()}`;
      } catch (error) {
        last = (error as Error).message;
      }
      await sleep(200);
    }
    child.kill('SIGKILL');
    throw new Error(`service not healthy within ${this.readyTimeoutMs} ms (last: ${last}):\n${this.lines.slice(-30).join('\n')}`);
  }
}
