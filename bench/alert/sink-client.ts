import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FamilyStats, SinkReply, SinkRequest } from './sink-process';

/** The benchmark's side of the SMTP sink child process. */
export class SinkProcess {
  private nextRequest = 0;
  private readonly pending = new Map<number, (stats: FamilyStats) => void>();

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.on('message', (reply: SinkReply) => {
      if (reply.type !== 'stats') return;
      const { count, first, last } = reply;
      this.pending.get(reply.requestId)?.({ count, first, last });
      this.pending.delete(reply.requestId);
    });
  }

  static async start(): Promise<SinkProcess> {
    const child = fork(join(__dirname, 'sink-process.ts'), [], { execArgv: ['-r', join(__dirname, '..', 'support', 'swc-register.js')], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const port = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`sink process exited with ${code}`)));
      child.on('message', (reply: SinkReply) => {
        if (reply.type === 'ready') resolve(reply.port);
      });
    });
    return new SinkProcess(child, port);
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  stats(key: string): Promise<FamilyStats> {
    const requestId = this.nextRequest++;
    return new Promise((resolve) => {
      this.pending.set(requestId, resolve);
      this.child.send({ type: 'stats', key, requestId } satisfies SinkRequest);
    });
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

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.disconnect();
    await Promise.race([exited, sleep(5000)]);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}
