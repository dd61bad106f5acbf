import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SinkReply, SinkRequest, SinkStats } from './counting-sink-process';
import { SinkChild } from './sink-child';

export type { SinkStats } from './counting-sink-process';

/** The benchmark's handle on the counting SMTP sink child process. */
export class CountingSink {
  private constructor(private readonly child: SinkChild<SinkRequest, SinkStats>) {}

  static async start(): Promise<CountingSink> {
    const child = await SinkChild.start<SinkRequest, SinkStats>(join(__dirname, 'counting-sink-process.ts'), (reply) =>
      reply.type === 'stats' ? (reply as Extract<SinkReply, { type: 'stats' }>).stats : undefined,
    );
    return new CountingSink(child);
  }

  get url(): string {
    return this.child.url;
  }

  get port(): number {
    return this.child.port;
  }

  stats(): Promise<SinkStats> {
    return this.child.ask({ type: 'stats' });
  }

  /** Zeroes the counters (not the CPU time) and returns the stats as they were. */
  reset(): Promise<SinkStats> {
    return this.child.ask({ type: 'reset' });
  }

  /** Polls until `count` messages were accepted; throws after timeoutMs saying how many were. */
  async waitFor(count: number, timeoutMs: number, pollMs = 20): Promise<SinkStats> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const stats = await this.stats();
      if (stats.accepted >= count) return stats;
      if (Date.now() > deadline) throw new Error(`sink: ${stats.accepted} of ${count} messages within ${timeoutMs} ms`);
      await sleep(pollMs);
    }
  }

  stop(): Promise<void> {
    return this.child.stop();
  }
}
