import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SinkChild } from '../support/sink-child';
import type { FamilyStats, SinkReply, SinkRequest } from './sink-process';

/** The benchmark's side of the SMTP sink child process that timestamps messages by family. */
export class SinkProcess {
  private constructor(private readonly child: SinkChild<SinkRequest, FamilyStats>) {}

  static async start(): Promise<SinkProcess> {
    const child = await SinkChild.start<SinkRequest, FamilyStats>(join(__dirname, 'sink-process.ts'), (reply) => {
      if (reply.type !== 'stats') return undefined;
      const { count, first, last } = reply as Extract<SinkReply, { type: 'stats' }>;
      return { count, first, last };
    });
    return new SinkProcess(child);
  }

  get url(): string {
    return this.child.url;
  }

  get port(): number {
    return this.child.port;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  stats(key: string): Promise<FamilyStats> {
    return this.child.ask({ type: 'stats', key });
  }

  /** Polls until `count` messages of the family were accepted; throws after timeoutMs. */
  async waitFor(key: string, count: number, timeoutMs: number, pollMs = 5): Promise<FamilyStats> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const stats = await this.stats(key);
      if (stats.count >= count) return stats;
      if (Date.now() > deadline) throw new Error(`sink: ${stats.count} of ${count} messages of ${key} within ${timeoutMs} ms`);
      await sleep(pollMs);
    }
  }

  stop(): Promise<void> {
    return this.child.stop();
  }
}
