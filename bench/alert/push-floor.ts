import { Agent } from 'node:https';
import { performance } from 'node:perf_hooks';
import { encrypt, getVapidHeaders } from 'web-push';
import type { PushConfig } from '../../src/config/config';
import { PushMessage } from '../../src/push/push-message';
import { WebPushTransport } from '../../src/push/push-transport';
import { ownCpuSeconds } from '../support/process-cpu';
import type { ThroughputResult } from './baseline';
import { PushServiceProcess } from './push-service-client';

/**
 * The push rows' floor: web-push's own encryption of one payload (RFC 8291: a fresh
 * ECDH key pair, the shared secret, HKDF, AES-GCM), no HTTP, once per browser key of
 * the pool in turn. Nothing that encrypts with web-push can push faster per CPU-second.
 */
export function encryptionFloor(pool: readonly { p256dh: string; auth: string }[], payload: string, count: number): ThroughputResult {
  return timed(count, (i) => {
    const keys = pool[i % pool.length];
    encrypt(keys.p256dh, keys.auth, payload, 'aes128gcm');
  });
}

/** web-push's VAPID header (an ES256 JWT) signed afresh, no HTTP: what each push costs when nothing caches it. */
export function vapidSigningFloor(config: PushConfig, audience: string, count: number): ThroughputResult {
  const { subject, publicKey, privateKey } = config.vapid;
  return timed(count, () => getVapidHeaders(audience, subject, publicKey, privateKey, 'aes128gcm'));
}

/**
 * The ceiling for push fan-out: the service's own WebPushTransport sending to the bench
 * push service with no database, `lanes` pushes in flight like the worker. The gap
 * between this row and the push alert row is what the outbox costs.
 */
export async function pushTransportCeiling(
  service: PushServiceProcess,
  config: PushConfig,
  message: Omit<PushMessage, 'endpoint' | 'keys'>,
  count: number,
  lanes: number,
): Promise<ThroughputResult> {
  const transport = new WebPushTransport(config, new Agent({ ca: service.certPem, keepAlive: true, maxSockets: 64 }));
  const cpu = ownCpuSeconds();
  const started = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      const keys = service.pool[i % service.pool.length];
      const outcome = await transport.send({ ...message, endpoint: service.endpoint(i), keys });
      if (outcome.status !== 'sent') throw new Error(`push ceiling send failed: ${JSON.stringify(outcome)}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: lanes }, lane));
    const seconds = (performance.now() - started) / 1000;
    const cpuSeconds = ownCpuSeconds() - cpu;
    await service.waitFor(message.topic, count, 10_000);
    return { messages: count, seconds, cpuSeconds };
  } finally {
    transport.close();
  }
}

function timed(count: number, work: (i: number) => unknown): ThroughputResult {
  // A few untimed rounds first, so the JIT and OpenSSL's tables are warm.
  for (let i = 0; i < 50; i++) work(i);
  const cpu = ownCpuSeconds();
  const started = performance.now();
  for (let i = 0; i < count; i++) work(i);
  return { messages: count, seconds: (performance.now() - started) / 1000, cpuSeconds: ownCpuSeconds() - cpu };
}
