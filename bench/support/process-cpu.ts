import { readFileSync } from 'node:fs';
import { Client } from 'pg';

/** Linux reports process times in clock ticks; 100 per second on every mainstream kernel configuration. */
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds a process has used so far, or null when it is gone (or this is not Linux). */
export function cpuSecondsOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

export function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/**
 * CPU time PostgreSQL spends for one database: its backends' times, sampled while
 * they live (a pool may close idle connections before the end). Backends started
 * before `start()` count only from their value at start.
 */
export class PostgresCpu {
  private readonly baseline = new Map<number, number>();
  private readonly latest = new Map<number, number>();
  private timer?: NodeJS.Timeout;
  private sampling?: Promise<void>;

  private constructor(
    private readonly client: Client,
    private readonly database: string,
  ) {}

  static async watch(maintenanceUrl: string, database: string): Promise<PostgresCpu> {
    const client = new Client({ connectionString: maintenanceUrl });
    await client.connect();
    return new PostgresCpu(client, database);
  }

  async start(intervalMs = 200): Promise<void> {
    for (const pid of await this.backends()) this.baseline.set(pid, cpuSecondsOf(pid) ?? 0);
    this.timer = setInterval(() => {
      this.sampling ??= this.sample().finally(() => (this.sampling = undefined));
    }, intervalMs);
  }

  /** Seconds used since start() so far, after a fresh sample: splits a run into phases. */
  async sofar(): Promise<number> {
    await this.sampling;
    await this.sample();
    let total = 0;
    for (const [pid, seconds] of this.latest) total += seconds - (this.baseline.get(pid) ?? 0);
    return total;
  }

  /** Seconds used since start(), after a last sample. */
  async stop(): Promise<number> {
    clearInterval(this.timer);
    const total = await this.sofar();
    await this.client.end();
    return total;
  }

  private async sample(): Promise<void> {
    for (const pid of await this.backends()) {
      const seconds = cpuSecondsOf(pid);
      if (seconds !== null) this.latest.set(pid, Math.max(seconds, this.latest.get(pid) ?? 0));
    }
  }

  private async backends(): Promise<number[]> {
    const { rows } = await this.client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [this.database]);
    return rows.map((row) => row.pid);
  }
}
