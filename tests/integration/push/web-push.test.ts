import request from 'supertest';
import { generateVAPIDKeys } from 'web-push';
import { eventually, startTestApp, TestApp } from '../../support/app';
import { assertCleanLedger, checkLedger, deliveryRows, emailsTo, Ledger } from '../../support/ledger';
import { ledgerAddress, loopbackPushEnv, pushesTo, TestBrowser, TestPushService } from '../../support/push-service';
import { messageHost } from '../../../src/mail/message-host';
import { aReader, alertFinished, anArticle, editor, mailsOf, postAlert, recipientsOf } from '../alerts/alert-fixtures';

jest.setTimeout(90_000);

describe('Web push for breaking alerts', () => {
  const vapid = generateVAPIDKeys();
  const SUBJECT = 'mailto:ops@news.example.com';
  const SITE = 'https://news.example.com';
  let push: TestPushService;
  let sut: TestApp;

  /** Its consumer has joined: closing an app whose consumer is still connecting leaves kafkajs running after the test. */
  const ready = (app: TestApp) => eventually(async () => ((await fetch(`${app.url}/health`)).status === 200 ? true : undefined), 45_000, 250);

  beforeAll(async () => {
    push = await TestPushService.start(vapid.publicKey);
    sut = await startTestApp({
      pushAgent: push.agent,
      env: {
        ...loopbackPushEnv(vapid, SUBJECT),
        PUSH_ALLOWED_ORIGINS: SITE,
      },
    });
    await ready(sut);
  }, 60_000);

  afterAll(async () => {
    await sut?.close();
    await push?.close();
  });

  const subscribe = (browser: TestBrowser, tags: string[], headers: Record<string, string> = {}, extra: object = {}) =>
    request(sut.url).post('/push/subscriptions').set(headers).send({ subscription: browser.subscription, tags, ...extra });

  it('ends with a clean ledger that counts the pushes beside the emails', async () => {
    const readers = [await aReader(sut.prisma, { tags: ['wp-ledger'] }), await aReader(sut.prisma, { tags: ['wp-ledger'] })];
    const unsubscribed = await aReader(sut.prisma, { tags: ['wp-ledger'], status: 'unsubscribed' });
    const browsers = [push.browser(), push.browser(), push.browser()];
    push.answer(browsers[2], { status: 503, headers: { 'Retry-After': '1' } });
    const [gone, elsewhere] = [push.browser(), push.browser()];
    push.answer(gone, { status: 410 });
    for (const browser of [...browsers, gone]) browser.subscriptionId = (await subscribe(browser, ['wp-ledger']).expect(201)).body.id;
    elsewhere.subscriptionId = (await subscribe(elsewhere, ['wp-ledger-other']).expect(201)).body.id;
    const article = await anArticle(sut.prisma, { tags: ['wp-ledger'] });

    const { body } = await postAlert(sut, { articleId: article.id }).expect(202);
    await alertFinished(sut, body.alertId);

    const ledger = new Ledger()
      .expect(emailsTo(readers, 'alert', body.alertId))
      .expect(pushesTo(browsers, body.alertId))
      .forbid([unsubscribed], 'unsubscribed before the alert')
      .forbid([ledgerAddress(gone)], 'its push service said the subscription is gone')
      .forbid([ledgerAddress(elsewhere)], 'subscribed to other tags');
    const received = [...mailsOf(sut.smtp.messages, body.alertId), ...push.ledgerReceived(body.alertId, messageHost(sut.config))];
    const report = assertCleanLedger(checkLedger({ ...ledger.expectation(), received, rows: await deliveryRows(sut.prisma), connectionsInUse: sut.config.smtp.poolSize }));
    expect(report).toMatchObject({ expected: 5, received: 5 });
  });

  it('serves the public key and a service worker that shows the alert and opens the article', async () => {
    expect((await request(sut.url).get('/push/key').expect(200)).body).toEqual({ publicKey: vapid.publicKey });
    const sw = await request(sut.url).get('/push/sw.js').expect(200);
    expect(sw.headers['content-type']).toMatch(/^text\/javascript/);
    expect(sw.text).toContain("addEventListener('push'");
    expect(sw.text).toContain('showNotification');
    expect(sw.text).toContain('openWindow');
  });

  it('delivers an encrypted push with VAPID, TTL, Urgency and Topic beside the email, to matching subscriptions only', async () => {
    const reader = await aReader(sut.prisma, { tags: ['wp-ai'] });
    const [fan, other] = [push.browser(), push.browser()];
    const created = await subscribe(fan, ['wp-ai']).expect(201);
    expect(created.body).toEqual({ id: expect.any(String), token: expect.any(String) });
    await subscribe(other, ['wp-sports']).expect(201);
    const article = await anArticle(sut.prisma, { tags: ['wp-ai'] });

    const { body } = await postAlert(sut, { articleId: article.id }).expect(202);
    await alertFinished(sut, body.alertId);

    const pushes = push.pushesTo(fan);
    expect(pushes).toHaveLength(1);
    const [received] = pushes;
    const stored = await sut.prisma.article.findUniqueOrThrow({ where: { id: article.id } });
    expect(received.payload).toEqual({ alertId: body.alertId, title: stored.title, body: stored.summary ?? '', url: stored.url });
    expect(received.headers['content-encoding']).toBe('aes128gcm');
    expect(Number(received.headers.ttl)).toBeGreaterThan(0);
    expect(Number(received.headers.ttl)).toBeLessThanOrEqual(3600);
    expect(received.headers.urgency).toBe('high');
    expect(received.headers.topic).toBe(String(body.alertId).replace(/-/g, ''));
    expect(received.vapid).toMatchObject({ aud: push.origin, sub: SUBJECT });
    expect(received.vapid!.exp * 1000).toBeGreaterThan(Date.now());
    expect(received.vapid!.exp * 1000).toBeLessThanOrEqual(Date.now() + 24 * 3600_000);
    expect(push.pushesTo(other)).toHaveLength(0);
    expect(recipientsOf(mailsOf(sut.smtp.messages, body.alertId))).toEqual([reader.email]);
    const status = await request(sut.url).get(`/alerts/${body.alertId}`).set(editor).expect(200);
    expect(status.body).toMatchObject({
      recipients: 2,
      sent: 2,
      failed: 0,
      channels: { email: { recipients: 1, sent: 1, failed: 0 }, push: { recipients: 1, sent: 1, failed: 0, expired: 0 } },
    });
  });

  it.each([404, 410])('removes a subscription its push service answers %i for, and sends it nothing more', async (code) => {
    const gone = push.browser();
    push.answer(gone, { status: code });
    const { body: sub } = await subscribe(gone, [`wp-gone-${code}`]).expect(201);
    const first = await anArticle(sut.prisma, { tags: [`wp-gone-${code}`] });

    const { body } = await postAlert(sut, { articleId: first.id }).expect(202);
    await alertFinished(sut, body.alertId);

    expect(await sut.prisma.pushSubscription.findUnique({ where: { id: sub.id } })).toBeNull();
    const row = await sut.prisma.delivery.findFirstOrThrow({ where: { alertId: body.alertId, kind: 'push' } });
    expect(row).toMatchObject({ status: 'failed', lastError: `push service answered ${code}` });
    const status = await request(sut.url).get(`/alerts/${body.alertId}`).set(editor).expect(200);
    expect(status.body.channels.push).toEqual({ recipients: 1, sent: 0, failed: 1, held: 0, expired: 1 });
    const second = await anArticle(sut.prisma, { tags: [`wp-gone-${code}`] });
    const { body: next } = await postAlert(sut, { articleId: second.id }).expect(202);
    await alertFinished(sut, next.alertId);
    expect(push.pushesTo(gone)).toHaveLength(1);
  });

  it('retries a push the service throttles (429) after its Retry-After', async () => {
    const busy = push.browser();
    push.answer(busy, { status: 429, headers: { 'Retry-After': '2' } });
    await subscribe(busy, ['wp-busy']).expect(201);
    const article = await anArticle(sut.prisma, { tags: ['wp-busy'] });

    const { body } = await postAlert(sut, { articleId: article.id }).expect(202);
    await alertFinished(sut, body.alertId);

    const pushes = push.pushesTo(busy);
    expect(pushes.map((p) => p.status)).toEqual([429, 201]);
    expect(pushes[1].at - pushes[0].at).toBeGreaterThanOrEqual(1_900);
    expect(pushes[1].payload).toMatchObject({ alertId: body.alertId });
    const row = await sut.prisma.delivery.findFirstOrThrow({ where: { alertId: body.alertId, kind: 'push' } });
    expect(row).toMatchObject({ status: 'sent', attempts: 2 });
  });

  describe('refuses endpoints off the allowed push services (SSRF): 400, nothing stored, no request made', () => {
    const port = () => new URL(push.origin).port;
    it.each([
      ['plain http', () => `http://127.0.0.1:${port()}/push/x`],
      ['a host not listed (localhost is the same machine, but not listed)', () => `https://localhost:${port()}/push/x`],
      ['another host', () => 'https://evil.example.com/push/x'],
      ['userinfo naming the allowed host', () => `https://127.0.0.1:${port()}@evil.example.com/push/x`],
      ['userinfo in front of the allowed host', () => `https://user:pw@127.0.0.1:${port()}/push/x`],
      ['an IP literal not listed', () => 'https://10.0.0.1/push/x'],
      ['loopback spelled another way', () => `https://127.1:${port()}/push/x`],
      ['an IPv6 literal', () => `https://[::1]:${port()}/push/x`],
      ['a backslash that parsers read apart', () => `https://evil.example.com\\@127.0.0.1:${port()}/push/x`],
    ])('%s', async (_why, endpoint) => {
      const browser = push.browser();
      const before = push.received.length;
      const res = await request(sut.url)
        .post('/push/subscriptions')
        .send({ subscription: { ...browser.subscription, endpoint: endpoint() }, tags: ['wp-ssrf'] })
        .expect(400);

      expect(res.body.message).toMatch(/^subscription\.endpoint: /);
      expect(await sut.prisma.pushSubscription.count({ where: { tags: { has: 'wp-ssrf' } } })).toBe(0);
      const article = await anArticle(sut.prisma, { tags: ['wp-ssrf'] });
      const { body } = await postAlert(sut, { articleId: article.id }).expect(202);
      await alertFinished(sut, body.alertId);
      expect(push.received.length).toBe(before);
    });
  });

  it('needs an editor key for a staff subscription', async () => {
    const staff = push.browser();
    await subscribe(staff, ['wp-staff'], {}, { staff: true }).expect(401);
    await subscribe(staff, ['wp-staff'], { Authorization: 'Bearer wrong-key' }, { staff: true }).expect(401);
    expect(await sut.prisma.pushSubscription.count({ where: { endpoint: staff.subscription.endpoint } })).toBe(0);

    const { body } = await subscribe(staff, ['wp-staff'], editor, { staff: true }).expect(201);
    expect(await sut.prisma.pushSubscription.findUniqueOrThrow({ where: { id: body.id } })).toMatchObject({ staff: true });
  });

  it('changes tags and unsubscribes with the token, and with nothing else', async () => {
    const browser = push.browser();
    const { body } = await subscribe(browser, ['wp-a']).expect(201);
    const other = (await subscribe(push.browser(), ['wp-a']).expect(201)).body;

    await request(sut.url).put(`/push/subscriptions/${body.id}`).query({ token: other.token }).send({ tags: ['wp-b'] }).expect(403);
    await request(sut.url).put(`/push/subscriptions/${body.id}`).send({ tags: ['wp-b'] }).expect(403);
    await request(sut.url).put(`/push/subscriptions/${body.id}`).query({ token: `${body.token}x` }).send({ tags: ['wp-b'] }).expect(403);
    await request(sut.url).put(`/push/subscriptions/${body.id}`).query({ token: body.token }).send({ tags: ['#WP-B'] }).expect(200, { id: body.id, tags: ['wp-b'] });
    expect(await sut.prisma.pushSubscription.findUniqueOrThrow({ where: { id: body.id } })).toMatchObject({ tags: ['wp-b'] });

    await request(sut.url).delete(`/push/subscriptions/${body.id}`).query({ token: other.token }).expect(403);
    await request(sut.url).delete(`/push/subscriptions/${body.id}`).query({ token: body.token }).expect(204);
    await request(sut.url).delete(`/push/subscriptions/${body.id}`).query({ token: body.token }).expect(204);
    expect(await sut.prisma.pushSubscription.findUnique({ where: { id: body.id } })).toBeNull();
    await request(sut.url).put(`/push/subscriptions/${body.id}`).query({ token: body.token }).send({ tags: ['wp-b'] }).expect(404);
  });

  it('lets only the allowed origins call the push endpoints from a browser', async () => {
    const preflight = await request(sut.url).options('/push/subscriptions').set({ Origin: SITE, 'Access-Control-Request-Method': 'POST' }).expect(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(SITE);
    expect(preflight.headers['access-control-allow-methods']).toContain('POST');

    const refused = await request(sut.url).options('/push/subscriptions').set({ Origin: 'https://evil.example.com', 'Access-Control-Request-Method': 'POST' });
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    const created = await subscribe(push.browser(), ['wp-cors'], { Origin: SITE }).expect(201);
    expect(created.headers['access-control-allow-origin']).toBe(SITE);
  });

  it('does not answer for push while the VAPID keys are unset', async () => {
    const off = await startTestApp({ db: sut.db, smtp: sut.smtp });
    try {
      await ready(off);
      await request(off.url).get('/push/key').expect(404);
      await request(off.url).get('/push/sw.js').expect(404);
      await request(off.url).post('/push/subscriptions').send({ subscription: push.browser().subscription, tags: ['wp-off'] }).expect(404);
      await request(off.url).delete('/push/subscriptions/7b0c8f8e-3f0a-4c55-9a57-2f1c4c3b8a10').expect(404);
    } finally {
      await off.close();
    }
  });
});
