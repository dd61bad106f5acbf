import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A request as the caller writes it: each member of a union without its requestId. */
type WithoutId<Request> = Request extends unknown ? Omit<Request, 'requestId'> : never;

/**
 * A benchmark SMTP sink running in a child process of its own (so its CPU is not
 * the service's), spoken to over IPC: `ask` sends a request with a fresh id and
 * resolves with the reply carrying that id.
 */
export class SinkChild<Request extends { requestId: number }, Answer> {
  private nextRequest = 0;
  private readonly pending = new Map<number, (answer: Answer) => void>();

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  /** Forks `script` (TypeScript, through the bench's SWC hook) and waits for its `{ type: 'ready', port }`. */
  static async start<Request extends { requestId: number }, Answer>(
    script: string,
    answerOf: (reply: { type: string; requestId?: number }) => Answer | undefined,
  ): Promise<SinkChild<Request, Answer>> {
    const child = fork(script, [], { execArgv: ['-r', join(__dirname, '..', '..', 'scripts', 'swc-register.js')], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const port = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`sink process exited with ${code}`)));
      child.on('message', (reply: { type: string; port?: number }) => {
        if (reply.type === 'ready' && reply.port !== undefined) resolve(reply.port);
      });
    });
    const sink = new SinkChild<Request, Answer>(child, port);
    child.on('message', (reply: { type: string; requestId?: number }) => {
      const answer = answerOf(reply);
      if (answer === undefined || reply.requestId === undefined) return;
      sink.pending.get(reply.requestId)?.(answer);
      sink.pending.delete(reply.requestId);
    });
    return sink;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  ask(request: WithoutId<Request>): Promise<Answer> {
    const requestId = this.nextRequest++;
    return new Promise((resolve) => {
      this.pending.set(requestId, resolve);
      this.child.send({ ...request, requestId });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.disconnect();
    await Promise.race([exited, sleep(5000)]);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}
