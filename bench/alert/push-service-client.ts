import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SinkChild } from '../support/sink-child';
import type { PushChecks, PushServiceReply, PushServiceRequest } from './push-service-process';
import type { FamilyStats } from './sink-process';

type Answer = Exclude<PushServiceReply, { type: 'ready' }>;

/** The benchmark's side of the push service child process (push-service-process.ts). */
export class PushServiceProcess {
  private constructor(
    private readonly child: SinkChild<PushServiceRequest, Answer>,
    readonly origin: string,
    /** Its self-signed certificate: what the service's HTTPS agent is told to trust. */
    readonly certPem: string,
    /** The browsers' public keys and auth secrets; endpoint `${origin}/push/${i}` uses pool[i % pool.length]. */
    readonly pool: { p256dh: string; auth: string }[],
  ) {}

  static async start(vapidPublicKey: string, poolSize: number, sampleEvery: number): Promise<PushServiceProcess> {
    const child = await SinkChild.start<PushServiceRequest, Answer>(join(__dirname, 'push-service-process.ts'), (reply) =>
      reply.type === 'ready' ? undefined : (reply as Answer),
    );
    const setup = (await child.ask({ type: 'setup', vapidPublicKey, poolSize, sampleEvery })) as Extract<Answer, { type: 'setup' }>;
    return new PushServiceProcess(child, setup.origin, setup.certPem, setup.pool);
  }

  endpoint(index: number): string {
    return `${this.origin}/push/${index}`;
  }

  /** Pushes accepted for an alert, found by its Topic (the alert id's 32 hex digits). */
  async stats(topic: string): Promise<FamilyStats> {
    const { count, first, last } = (await this.child.ask({ type: 'stats', key: topic })) as Extract<Answer, { type: 'stats' }>;
    return { count, first, last };
  }

  async checks(): Promise<PushChecks> {
    const { type: _type, requestId: _id, ...checks } = (await this.child.ask({ type: 'checks' })) as Extract<Answer, { type: 'checks' }>;
    return checks;
  }

  /** Polls until `count` pushes of the alert were accepted; throws after timeoutMs. */
  async waitFor(topic: string, count: number, timeoutMs: number, pollMs = 5): Promise<FamilyStats> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const stats = await this.stats(topic);
      if (stats.count >= count) return stats;
      if (Date.now() > deadline) throw new Error(`push service: ${stats.count} of ${count} pushes of ${topic} within ${timeoutMs} ms`);
      await sleep(pollMs);
    }
  }

  stop(): Promise<void> {
    return this.child.stop();
  }
}
