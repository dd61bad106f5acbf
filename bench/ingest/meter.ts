import { performance } from 'node:perf_hooks';
import { databaseUrl } from '../../scripts/database-url';
import { maintenanceUrl } from '../../scripts/infra/postgres';
import { ownCpuSeconds, PostgresCpu } from '../support/process-cpu';

export interface Measurement {
  /** Wall clock from start() to stop(). */
  seconds: number;
  /** CPU of this process (the consumer under test runs in it). */
  appCpuSeconds: number;
  /** CPU of PostgreSQL's backends serving the path's database. */
  postgresCpuSeconds: number;
}

/** Wall clock and CPU of one ingestion path, app and database side, between start() and stop(). */
export class Meter {
  private startedAt = 0;
  private cpuAtStart = 0;

  private constructor(private readonly postgres: PostgresCpu) {}

  static async forDatabase(name: string): Promise<Meter> {
    return new Meter(await PostgresCpu.watch(maintenanceUrl(databaseUrl()), name));
  }

  async start(): Promise<void> {
    await this.postgres.start();
    this.cpuAtStart = ownCpuSeconds();
    this.startedAt = performance.now();
  }

  async stop(): Promise<Measurement> {
    const seconds = (performance.now() - this.startedAt) / 1000;
    const appCpuSeconds = ownCpuSeconds() - this.cpuAtStart;
    return { seconds, appCpuSeconds, postgresCpuSeconds: await this.postgres.stop() };
  }
}
