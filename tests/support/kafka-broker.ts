import { rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import {
  kafkaBrokerFiles,
  kafkaBrokerNames,
  KafkaBrokerOptions,
  kafkaBrokerPid,
  startKafkaBroker,
  stopKafkaBroker,
  waitForKafka,
} from '../../scripts/infra/kafka';
import { freePort } from '../../scripts/infra/net';
import { isAlive } from '../../scripts/infra/processes';

// The owning worker's pid is part of the name, so an abandoned broker can be recognised and reaped.
const PREFIX = 'throwaway-';

// After a kill -9 the restarted broker cannot register until the controller has
// expired the dead incarnation's session (9 s by default).
const FAST_RESTART = { 'broker.session.timeout.ms': '3000', 'broker.heartbeat.interval.ms': '500' };

/**
 * A Kafka broker of a test's own, on free ports with its own data folder, for
 * fault tests that kill, stop and restart it without disturbing the shared
 * broker every other test uses.
 */
export class ThrowawayKafkaBroker {
  private constructor(private readonly options: KafkaBrokerOptions) {}

  /** Starts a new broker and waits until it answers. */
  static async start(timeoutMs = 120_000): Promise<ThrowawayKafkaBroker> {
    const port = await freePort();
    let controllerPort = await freePort();
    while (controllerPort === port) controllerPort = await freePort();
    const name = `${PREFIX}${process.pid}-${randomBytes(3).toString('hex')}`;
    const broker = new ThrowawayKafkaBroker({ name, port, controllerPort, extraProperties: FAST_RESTART });
    await broker.start(timeoutMs);
    return broker;
  }

  get brokers(): string[] {
    return [`127.0.0.1:${this.options.port}`];
  }

  get pid(): number | undefined {
    return kafkaBrokerPid(this.options);
  }

  /** Starts it again on the same ports and data (a no-op while it runs). */
  async start(timeoutMs = 120_000): Promise<void> {
    const broker = await startKafkaBroker(this.options);
    await waitForKafka(this.brokers, timeoutMs, { pid: broker.pid, logFile: broker.files.logFile });
  }

  /** A clean shutdown (SIGTERM), waiting until the process is gone. */
  async stop(): Promise<void> {
    await stopKafkaBroker(this.options, 'SIGTERM');
  }

  /** A crash: SIGKILL, no chance to flush or deregister. */
  async kill9(): Promise<void> {
    await stopKafkaBroker(this.options, 'SIGKILL');
  }

  /** Kills it and deletes its folder; call in afterAll. */
  async dispose(): Promise<void> {
    await this.kill9();
    rmSync(kafkaBrokerFiles(this.options).dir, { recursive: true, force: true });
  }
}

/** Kills and deletes throwaway brokers whose test worker is gone (a crashed run). */
export async function reapThrowawayBrokers(): Promise<void> {
  for (const name of kafkaBrokerNames().filter((candidate) => candidate.startsWith(PREFIX))) {
    const owner = Number(name.slice(PREFIX.length).split('-')[0]);
    if (Number.isInteger(owner) && isAlive(owner)) continue;
    await stopKafkaBroker({ name }, 'SIGKILL');
    rmSync(kafkaBrokerFiles({ name }).dir, { recursive: true, force: true });
  }
}
