import { createECDH, randomBytes } from 'node:crypto';
import { generateVAPIDKeys } from 'web-push';
import { PUSH_SUBSCRIBE_LIMIT } from '../../src/push/push-subscribe-rate-limit';
import { SUBSCRIBE_LIMITS } from '../../src/subscriptions/subscribe-rate-limit.guard';
import { startTestApp, TestApp } from '../support/app';
import { createTestDatabase, TestDatabase } from '../support/database';
import { ForwardingProxy } from '../support/forwarding-proxy';
import { uniqueTopics } from '../support/service-env';
import { loopbackPushEnv } from '../support/push-service';
import { ServiceProcess } from '../support/service-process';
import { SmtpSink } from '../support/smtp-sink';
import { anAddress, freshIp, JSON_TYPE, RawResponse, sendRaw } from './support';

// RELIABILITY.md S5: behind the reverse proxies TRUST_PROXY names, each real client
// has its own bucket, and a header from an untrusted hop picks nothing; several
// instances enforce the limits of one. The proxy is a real one on loopback
// (tests/support/forwarding-proxy.ts): it appends the peer to X-Forwarded-For.

jest.setTimeout(240_000);

const PER_IP = SUBSCRIBE_LIMITS.perIp.limit;

const subscribe = (target: { url: string }, from: string, headers: Record<string, string> = {}, email = anAddress('proxied')) =>
  sendRaw(target, { method: 'POST', path: '/subscriptions', headers: { ...JSON_TYPE, ...headers }, body: JSON.stringify({ email, tags: ['news'] }), from });

const statuses = (answers: RawResponse[]) => answers.map((answer) => answer.status);

describe.each([
  ['the proxy by address', '127.0.0.1'],
  ['one hop', '1'],
])('behind a reverse proxy, TRUST_PROXY naming %s (S5)', (_label, trustProxy) => {
  let app: TestApp;
  let proxy: ForwardingProxy;

  beforeAll(async () => {
    app = await startTestApp({ env: { DIGEST_TICK_CRON: '0 0 1 1 *', TRUST_PROXY: trustProxy } });
    proxy = await ForwardingProxy.start(app.url);
  });

  afterAll(async () => {
    await proxy?.close();
    await app?.close();
  });

  it('gives every reader behind the proxy a bucket of their own', async () => {
    const answers: RawResponse[] = [];
    for (let i = 0; i < PER_IP + 5; i++) answers.push(await subscribe(proxy, freshIp()));
    expect(statuses(answers)).toEqual(Array(PER_IP + 5).fill(202));
  });

  it('limits one reader behind the proxy, whatever X-Forwarded-For they send', async () => {
    const reader = freshIp();
    const answers: RawResponse[] = [];
    for (let i = 0; i < PER_IP + 3; i++) answers.push(await subscribe(proxy, reader, { 'x-forwarded-for': `203.0.113.${i + 1}` }));
    expect(statuses(answers)).toEqual([...Array(PER_IP).fill(202), ...Array(3).fill(429)]);
  });

  if (trustProxy !== '1') {
    it('ignores X-Forwarded-For from a client that is not the proxy', async () => {
      const client = freshIp();
      const answers: RawResponse[] = [];
      for (let i = 0; i < PER_IP + 3; i++) answers.push(await subscribe(app, client, { 'x-forwarded-for': `198.51.100.${i + 1}` }));
      expect(statuses(answers)).toEqual([...Array(PER_IP).fill(202), ...Array(3).fill(429)]);
    });
  }
});

describe('push subscriptions per client address', () => {
  let app: TestApp;

  beforeAll(async () => {
    const vapid = generateVAPIDKeys();
    app = await startTestApp({
      env: { DIGEST_TICK_CRON: '0 0 1 1 *', ...loopbackPushEnv(vapid) },
    });
  });

  afterAll(async () => {
    await app?.close();
  });

  /** A new browser's subscription each time: keys as a browser makes them, an endpoint of its own. */
  const subscribePush = (from: string, headers: Record<string, string> = {}) => {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const subscription = { endpoint: `https://127.0.0.1/push/${randomBytes(8).toString('hex')}`, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') } };
    return sendRaw(app, { method: 'POST', path: '/push/subscriptions', headers: { ...JSON_TYPE, ...headers }, body: JSON.stringify({ subscription, tags: ['news'] }), from });
  };

  it('refuses one client past the limit with 429 and Retry-After, whatever X-Forwarded-For it sends, and no one else', async () => {
    const client = freshIp();
    const answers: RawResponse[] = [];
    for (let i = 0; i < PUSH_SUBSCRIBE_LIMIT.limit + 2; i++) answers.push(await subscribePush(client, { 'x-forwarded-for': `198.51.100.${i + 1}` }));
    expect(statuses(answers)).toEqual([...Array(PUSH_SUBSCRIBE_LIMIT.limit).fill(201), 429, 429]);
    const refused = answers[answers.length - 1];
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(PUSH_SUBSCRIBE_LIMIT.windowMs / 1000);
    expect(JSON.parse(refused.text)).toMatchObject({ statusCode: 429, message: expect.stringMatching(/too many push subscriptions/) });
    expect(await app.prisma.pushSubscription.count()).toBe(PUSH_SUBSCRIBE_LIMIT.limit);

    expect((await subscribePush(freshIp())).status).toBe(201);
  });
});

describe('rate limits shared by three instances (S5)', () => {
  let db: TestDatabase;
  let smtp: SmtpSink;
  const instances: ServiceProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    smtp = await SmtpSink.start();
    const topics = uniqueTopics();
    const env = { DIGEST_TICK_CRON: '0 0 1 1 *' };
    instances.push(...(await Promise.all([0, 1, 2].map(() => ServiceProcess.start({ db, smtp, topics, env })))));
  });

  afterAll(async () => {
    for (const instance of instances) await instance.close();
    await smtp?.close();
    await db?.drop();
  });

  it('enforces the per-client limit of one instance across all three', async () => {
    const client = freshIp();
    const answers: RawResponse[] = [];
    for (let i = 0; i < PER_IP + 6; i++) answers.push(await subscribe(instances[i % 3], client));
    expect(statuses(answers)).toEqual([...Array(PER_IP).fill(202), ...Array(6).fill(429)]);
  });

  it('enforces the per-mailbox limit across all three, and mails the mailbox once', async () => {
    const mailbox = anAddress('shared');
    const [local, domain] = mailbox.split('@');
    const answers: RawResponse[] = [];
    for (let i = 0; i < 9; i++) answers.push(await subscribe(instances[i % 3], freshIp(), {}, `${local}+${i}@${domain}`));
    const limit = SUBSCRIBE_LIMITS.perAddress.limit;
    expect(statuses(answers)).toEqual([...Array(limit).fill(202), ...Array(9 - limit).fill(429)]);
    await smtp.waitFor(1, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(smtp.messages.filter((mail) => mail.envelope.to.some((to) => to.startsWith(local)))).toHaveLength(1);
  });
});
