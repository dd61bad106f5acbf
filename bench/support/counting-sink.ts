import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SinkReply, SinkRequest, SinkStats } from './counting-sink-process';

export type { SinkStats } from './counting-sink-process';

/** The benchmark's handle on the counting SMTP sink child process. */
export class CountingSink {
  private nextRequest = 0;
  private readonly pending = new Map<number, (stats: SinkStats) => void>();

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.on('message', (reply: SinkReply) => {
      if (reply.type !== 'stats') return;
      this.pending.get(reply.requestId)?.(reply.stats);
      this.pending.delete(reply.requestId);
    });
  }

  static async start(): Promise<CountingSink> {
    const child = fork(join(__dirname, 'counting-sink-process.ts'), [], { execArgv: ['-r', join(__dirname, 'swc-register.js')], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const port = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`sink process exited with ${code}`)));
      child.on('message', (reply: SinkReply) => {
        if (reply.type === 'ready') resolve(reply.port);
      });
    });
    return new CountingSink(child, port);
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  stats(): Promise<SinkStats> {
    return this.ask('stats');
  }

  /** Zeroes the counters (not the CPU time) and returns the stats as they were. */
  reset(): Promise<SinkStats> {
    return this.ask('reset');
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

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.disconnect();
    await Promise.race([exited, sleep(5000)]);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }

  private ask(type: SinkRequest['type']): Promise<SinkStats> {
    const requestId = this.nextRequest++;
    return new Promise((resolve) => {
      this.pending.set(requestId, resolve);
      this.child.send({ type, requestId } satisfies SinkRequest);
    });
  }
}
