import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { aBrowserKeyPair, BrowserKeys, decryptPush, selfSignedCertificate, verifyVapid } from '../../scripts/push-service/web-push-receiver';
import type { FamilyStats } from './sink-process';

/**
 * The benchmark's push service: a Web Push endpoint (RFC 8030) on loopback over HTTPS,
 * in a child process of its own so that its CPU is not counted as the service's. It
 * answers 201 at once and keeps, per alert (its `Topic`), how many pushes it accepted
 * and when the first and last were accepted. Every push's headers are checked (VAPID
 * signature and claims, TTL ≤ 1 h, Urgency, Topic, aes128gcm); one in `sampleEvery` is
 * decrypted with the browser's keys and its payload checked against its Topic. Anything
 * wrong is counted, never answered differently, so the bench reports it at the end.
 *
 * Browsers: a pool of `poolSize` key pairs made as a browser makes them (P-256 + 16-byte
 * auth secret); endpoint `/push/{i}` uses pool key i mod poolSize. Making 100,000 key
 * pairs would take longer than the run; reusing 1,000 costs the sender exactly as much,
 * since it derives a fresh shared secret per message either way.
 *
 * IPC: sends {type: 'ready', port}; answers {type: 'setup', vapidPublicKey, poolSize,
 * sampleEvery} with {type: 'setup', origin, certPem, pool: [{p256dh, auth}]}, {type: 'stats',
 * key} with the family's FamilyStats, {type: 'checks'} with PushChecks.
 */

export interface PushChecks {
  received: number;
  /** TLS connections the service opened: few, if it keeps them alive. */
  connections: number;
  badVapid: number;
  badTtl: number;
  badUrgency: number;
  badTopic: number;
  badEncoding: number;
  decrypted: number;
  badPayload: number;
}

export type PushServiceRequest =
  | { type: 'setup'; vapidPublicKey: string; poolSize: number; sampleEvery: number; requestId: number }
  | { type: 'stats'; key: string; requestId: number }
  | { type: 'checks'; requestId: number };

export type PushServiceReply =
  | { type: 'ready'; port: number }
  | { type: 'setup'; requestId: number; origin: string; certPem: string; pool: { p256dh: string; auth: string }[] }
  | ({ type: 'stats'; requestId: number } & FamilyStats)
  | ({ type: 'checks'; requestId: number } & PushChecks);

const MAX_TTL_SECONDS = 3600;
/** The bench's alerts are major: RFC 8030 Urgency high. */
const URGENCY = 'high';

function wallClock(): number {
  return performance.timeOrigin + performance.now();
}

function main(): void {
  const { key, cert } = selfSignedCertificate();
  const families = new Map<string, FamilyStats>();
  const checks: PushChecks = { received: 0, connections: 0, badVapid: 0, badTtl: 0, badUrgency: 0, badTopic: 0, badEncoding: 0, decrypted: 0, badPayload: 0 };
  let pool: BrowserKeys[] = [];
  let vapidPublicKey = '';
  let sampleEvery = 1000;
  let origin = '';
  // Verified once per distinct header: a cached VAPID header arrives 100,000 times alike.
  const vapidVerdicts = new Map<string, boolean>();

  const vapidOk = (header: string | string[] | undefined): boolean => {
    if (typeof header !== 'string') return false;
    let verdict = vapidVerdicts.get(header);
    if (verdict === undefined) {
      const claims = verifyVapid(header, vapidPublicKey);
      verdict = claims !== null && claims.aud === origin && claims.exp * 1000 > Date.now() && claims.exp * 1000 <= Date.now() + 24 * 3600_000;
      if (vapidVerdicts.size > 10_000) vapidVerdicts.clear();
      vapidVerdicts.set(header, verdict);
    }
    return verdict;
  };

  const server = createServer({ key, cert, keepAliveTimeout: 60_000 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const at = wallClock();
      res.writeHead(201).end();
      checks.received += 1;
      const topic = String(req.headers.topic ?? '');
      const ttl = Number(req.headers.ttl);
      if (!vapidOk(req.headers.authorization)) checks.badVapid += 1;
      if (!Number.isInteger(ttl) || ttl <= 0 || ttl > MAX_TTL_SECONDS) checks.badTtl += 1;
      if (req.headers.urgency !== URGENCY) checks.badUrgency += 1;
      if (!/^[A-Za-z0-9_-]{1,32}$/.test(topic)) checks.badTopic += 1;
      if (req.headers['content-encoding'] !== 'aes128gcm') checks.badEncoding += 1;
      if (checks.received % sampleEvery === 1 || sampleEvery === 1) {
        const index = Number((req.url ?? '').split('/').pop());
        if (!payloadOk(chunks, pool[index % pool.length], topic)) checks.badPayload += 1;
        checks.decrypted += 1;
      }
      const stats = families.get(topic);
      if (stats) {
        stats.count += 1;
        stats.last = at;
      } else {
        families.set(topic, { count: 1, first: at, last: at });
      }
    });
  });

  server.on('secureConnection', () => (checks.connections += 1));
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    origin = `https://127.0.0.1:${port}`;
    process.send?.({ type: 'ready', port } satisfies PushServiceReply);
  });
  process.on('message', (request: PushServiceRequest) => {
    switch (request.type) {
      case 'setup':
        vapidPublicKey = request.vapidPublicKey;
        sampleEvery = request.sampleEvery;
        pool = Array.from({ length: request.poolSize }, () => aBrowserKeyPair());
        process.send?.({ type: 'setup', requestId: request.requestId, origin, certPem: cert, pool: pool.map(({ p256dh, auth }) => ({ p256dh, auth })) } satisfies PushServiceReply);
        return;
      case 'stats':
        process.send?.({ type: 'stats', requestId: request.requestId, ...(families.get(request.key) ?? { count: 0, first: 0, last: 0 }) } satisfies PushServiceReply);
        return;
      case 'checks':
        process.send?.({ type: 'checks', requestId: request.requestId, ...checks } satisfies PushServiceReply);
    }
  });
  process.on('disconnect', () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}

/** The decrypted payload is the alert's: {alertId, title, body, url}, its alert id the Topic's. */
function payloadOk(chunks: Buffer[], keys: BrowserKeys | undefined, topic: string): boolean {
  if (!keys) return false;
  try {
    const payload = JSON.parse(decryptPush(Buffer.concat(chunks), keys)) as Record<string, unknown>;
    return (
      typeof payload.alertId === 'string' &&
      payload.alertId.replace(/-/g, '') === topic &&
      typeof payload.title === 'string' &&
      payload.title.length > 0 &&
      typeof payload.body === 'string' &&
      typeof payload.url === 'string' &&
      payload.url.startsWith('https://')
    );
  } catch {
    return false;
  }
}

if (require.main === module) main();
