import { EDITOR_KEY, eventually } from '../support/app';
import { createTestDatabase, TestDatabase } from '../support/database';
import { ServiceProcess } from '../support/service-process';
import { SmtpSink } from '../support/smtp-sink';
import { anAddress, freshIp, isErrorBody, JSON_TYPE, median, RawRequest, RawResponse, sendRaw, timed } from './support';

// RELIABILITY.md S8 and the log half of S9, against the service as its own
// process (its log lines are what an operator's log pipeline would keep):
// editor endpoints refuse a missing, wrong or partial key with 401, queue nothing
// and audit the refusal; timing does not give away how much of a key was right;
// and no address, token, key or secret shows up in a log line or an error body.

jest.setTimeout(300_000);

const TOKEN_SECRET = 'security-suite-token-secret-4f1e9a7c';
const SMTP_PASSWORD = 'SmtpPassw0rd-Never-Logged';
const DB_PASSWORD = 'DbPassw0rd-Never-Logged';

describe('editor endpoints and secrets, in a service process (S8, S9)', () => {
  let smtp: SmtpSink;
  let db: TestDatabase;
  let sut: ServiceProcess;
  const presentedKeys: string[] = [];
  const readerEmail = anAddress('logged-reader');
  const greylisted = anAddress('greylisted');
  const tokensSeen = new Set<string>();

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    db = await createTestDatabase();
    // Trust authentication ignores the password: it can only ever show up if something logs the URL.
    const withPassword = new URL(db.url);
    withPassword.password = DB_PASSWORD;
    sut = await ServiceProcess.start({
      smtp,
      db,
      env: {
        LOG_LEVEL: 'info',
        TOKEN_SECRET,
        DATABASE_URL: withPassword.toString(),
        SMTP_URL: `smtp://dispatch:${SMTP_PASSWORD}@127.0.0.1:${smtp.port}`,
        DIGEST_TICK_CRON: '0 0 1 1 *',
      },
    });
    await sut.prisma.article.create({ data: { id: 'editor-target', title: 'Target', url: 'https://news.example.com/t', tags: ['news'], publishedAt: new Date() } });
    await sut.prisma.subscriber.create({ data: { email: anAddress('audience'), status: 'confirmed', tags: ['news'], confirmedAt: new Date() } });
  });

  afterAll(async () => {
    await sut?.close();
    await smtp?.close();
    await db?.drop();
  });

  const request = (options: RawRequest) => sendRaw(sut, { from: freshIp(), ...options });

  const EDITOR_ENDPOINTS: [string, RawRequest][] = [
    ['POST /alerts', { method: 'POST', path: '/alerts', headers: JSON_TYPE, body: JSON.stringify({ articleId: 'editor-target' }) }],
    ['POST /alerts (inline)', { method: 'POST', path: '/alerts', headers: JSON_TYPE, body: JSON.stringify({ article: { id: 'inline-x', title: 'X', url: 'https://x.example.com/', tags: ['news'], publishedAt: '2026-11-23T09:00:00Z' } }) }],
    ['GET /alerts/:id', { path: '/alerts/0b7c8f4e-6a1d-4c55-9a43-2f7e1c9d0a11' }],
    ['GET /alerts/preview', { path: '/alerts/preview?articleId=editor-target' }],
    ['POST /digests/run', { method: 'POST', path: '/digests/run', headers: JSON_TYPE, body: '{}' }],
    ['GET /digests/runs/:id', { path: '/digests/runs/0b7c8f4e-6a1d-4c55-9a43-2f7e1c9d0a11' }],
    ['GET /digests/preview', { path: `/digests/preview?email=${encodeURIComponent(readerEmail)}` }],
    ['GET /articles/search', { path: '/articles/search?q=target' }],
  ];

  const WRONG_CREDENTIALS: [string, Record<string, string>][] = [
    ['no key', {}],
    ['an empty Bearer', { authorization: 'Bearer ' }],
    ['a wrong key', { authorization: 'Bearer not-the-editor-key-at-all' }],
    ['a prefix of the key', { authorization: `Bearer ${EDITOR_KEY.slice(0, -1)}` }],
    ['the key and one more character', { authorization: `Bearer ${EDITOR_KEY}0` }],
    ['the key in another case', { authorization: `Bearer ${EDITOR_KEY.toUpperCase()}` }],
    ['the key as Basic credentials', { authorization: `Basic ${Buffer.from(`editor:${EDITOR_KEY}`).toString('base64')}` }],
    ['the key without a scheme', { authorization: EDITOR_KEY }],
    ['the key in a cookie', { cookie: `key=${EDITOR_KEY}; editorKey=${EDITOR_KEY}` }],
    ['the key in another header', { 'x-api-key': EDITOR_KEY, 'x-editor-key': EDITOR_KEY }],
  ];

  describe('S8: editor endpoints', () => {
    it.each(EDITOR_ENDPOINTS)('%s: refuses every wrong credential with 401 in the error shape, and queues nothing', async (_, endpoint) => {
      for (const [, headers] of WRONG_CREDENTIALS) {
        if (headers.authorization) presentedKeys.push(headers.authorization);
        const answer = await request({ ...endpoint, headers: { ...endpoint.headers, ...headers } });
        expect({ headers, status: answer.status }).toEqual({ headers, status: 401 });
        expect(isErrorBody(401, answer.text)).toBe(true);
        expect(answer.text).not.toContain(EDITOR_KEY.slice(0, 12));
      }
      // The key in the query string is refused too.
      const inQuery = await request({ ...endpoint, path: `${endpoint.path}${endpoint.path.includes('?') ? '&' : '?'}key=${EDITOR_KEY}&access_token=${EDITOR_KEY}` });
      expect(inQuery.status).toBe(401);

      expect(await sut.prisma.alert.count()).toBe(0);
      expect(await sut.prisma.delivery.count()).toBe(0);
      expect(await sut.prisma.digestRun.count()).toBe(0);
      expect(await sut.prisma.article.count({ where: { id: 'inline-x' } })).toBe(0);
    });

    it('audits every refusal with the path and reason, never the key presented', async () => {
      const refusals = await eventually(async () => {
        const lines = sut.logs().filter((line) => line.includes('editor request refused'));
        return lines.length >= EDITOR_ENDPOINTS.length * (WRONG_CREDENTIALS.length + 1) ? lines : undefined;
      }, 30_000);
      const parsed = refusals.map((line) => JSON.parse(line) as { path?: string; reason?: string; level: number });
      expect(parsed.every((entry) => typeof entry.path === 'string' && typeof entry.reason === 'string' && entry.level >= 40)).toBe(true);
      expect(new Set(parsed.map((entry) => entry.path))).toEqual(new Set(EDITOR_ENDPOINTS.map(([, endpoint]) => endpoint.path.split('?')[0])));
      for (const line of refusals) expect(line).not.toContain(EDITOR_KEY.slice(0, 12));
    });

    it('accepts the right key, and logs only its id', async () => {
      const answer = await request({ path: '/articles/search?q=target', headers: { authorization: `Bearer ${EDITOR_KEY}` } });
      expect(answer.status).toBe(200);
      const line = await sut.waitForLog(/"editorKeyId":"key-[0-9a-f]{8}"/, 30_000);
      expect(line).not.toContain(EDITOR_KEY);
    });

    it('takes as long for a wrong key sharing 20 leading characters with the real one as for one sharing none (medians recorded, compared loosely)', async () => {
      const sameLength = (prefix: string) => `${prefix}${'#'.repeat(EDITOR_KEY.length - prefix.length)}`;
      const keys = { none: sameLength(''), twenty: sameLength(EDITOR_KEY.slice(0, 20)) };
      const samples: Record<keyof typeof keys, number[]> = { none: [], twenty: [] };
      const ROUNDS = 40;
      for (let round = 0; round < ROUNDS + 5; round++) {
        for (const which of ['none', 'twenty'] as const) {
          const ms = await timed(() => request({ path: '/articles/search?q=x', headers: { authorization: `Bearer ${keys[which]}` } }));
          if (round >= 5) samples[which].push(ms);
        }
      }
      const medians = { none: median(samples.none), twenty: median(samples.twenty) };
      process.stdout.write(`editor 401 median ms: no shared prefix ${medians.none.toFixed(2)}, 20 shared characters ${medians.twenty.toFixed(2)}\n`);
      // The comparison is on fixed-length digests, so any difference is noise; only a gross one fails.
      expect(medians.twenty).toBeLessThan(medians.none * 2 + 5);
      expect(medians.none).toBeLessThan(medians.twenty * 2 + 5);
    });
  });

  describe('S9: nothing secret in logs or error bodies', () => {
    const errorBodies: RawResponse[] = [];

    it('goes through the reader journey, failed sends and refused requests', async () => {
      // Subscribe, confirm, open the preference centre, get a bad request, unsubscribe.
      expect((await request({ method: 'POST', path: '/subscriptions', headers: JSON_TYPE, body: JSON.stringify({ email: readerEmail, tags: ['news'] }) })).status).toBe(202);
      const confirmation = await eventually(async () => smtp.messages.find((mail) => mail.envelope.to.includes(readerEmail)), 60_000);
      for (const match of `${confirmation.text}${confirmation.html}`.matchAll(/token=([A-Za-z0-9_-]+)/g)) tokensSeen.add(match[1]);
      const confirmToken = /subscriptions\/confirm\?token=([A-Za-z0-9_-]+)/.exec(confirmation.text ?? '')?.[1];
      expect(confirmToken).toBeDefined();
      const confirmed = await request({ path: `/subscriptions/confirm?token=${confirmToken}` });
      expect(confirmed.status).toBe(200);
      for (const match of confirmed.text.matchAll(/token=([A-Za-z0-9_-]+)/g)) tokensSeen.add(match[1]);
      const preferencesToken = /\/preferences\?token=([A-Za-z0-9_-]+)/.exec(confirmed.text)?.[1];
      expect(preferencesToken).toBeDefined();

      const page = await request({ path: `/preferences?token=${preferencesToken}` });
      expect(page.status).toBe(200);
      for (const match of page.text.matchAll(/token=([A-Za-z0-9_-]+)/g)) tokensSeen.add(match[1]);
      const unsubscribeToken = /\/unsubscribe\?token=([A-Za-z0-9_-]+)/.exec(page.text)?.[1];

      errorBodies.push(await request({ method: 'POST', path: `/preferences?token=${preferencesToken}`, headers: JSON_TYPE, body: JSON.stringify({ sendHour: 99, email: readerEmail }) }));
      errorBodies.push(await request({ method: 'POST', path: `/preferences?token=${preferencesToken}x`, headers: JSON_TYPE, body: JSON.stringify({ sendHour: 9 }) }));
      errorBodies.push(await request({ method: 'POST', path: '/subscriptions', headers: JSON_TYPE, body: JSON.stringify({ email: `${readerEmail}\r\nBcc: x@example.com`, tags: ['news'] }) }));
      errorBodies.push(await request({ method: 'POST', path: '/subscriptions', headers: JSON_TYPE, body: JSON.stringify({ email: readerEmail, tags: ['no spaces allowed'] }) }));
      errorBodies.push(await request({ path: `/digests/preview?email=${encodeURIComponent(readerEmail)}&at=yesterday`, headers: { authorization: `Bearer ${EDITOR_KEY}` } }));
      errorBodies.push(await request({ method: 'POST', path: `/unsubscribe?token=${unsubscribeToken}zz`, headers: JSON_TYPE, body: '{}' }));
      for (const body of errorBodies) expect(body.status).toBeGreaterThanOrEqual(400);

      expect((await request({ method: 'POST', path: `/unsubscribe?token=${unsubscribeToken}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' })).status).toBe(200);

      // A mail server that names the recipient in its temporary refusal, as real ones do.
      smtp.rejectRecipient(greylisted, 450, `4.2.0 <${greylisted}>: Recipient address rejected: Greylisted, try again later`);
      expect((await request({ method: 'POST', path: '/subscriptions', headers: JSON_TYPE, body: JSON.stringify({ email: greylisted, tags: ['news'] }) })).status).toBe(202);
      await eventually(async () => {
        const row = await sut.prisma.delivery.findFirst({ where: { subscriber: { email: greylisted } } });
        return row && row.attempts >= 1 && row.status !== 'sending' ? row : undefined;
      }, 60_000);
      // The server's refusal, which names the address, was logged: the check below looks at it.
      await sut.waitForLog(/delivery will be retried/, 30_000);
    });

    it('wrote no address, token, key or secret into any log line', () => {
      const secrets = [
        readerEmail,
        readerEmail.split('@')[0],
        greylisted,
        greylisted.split('@')[0],
        EDITOR_KEY,
        TOKEN_SECRET,
        SMTP_PASSWORD,
        DB_PASSWORD,
        ...presentedKeys.map((header) => header.replace(/^\w+ /, '')).filter((key) => key.length >= 8),
        ...tokensSeen,
      ];
      expect(tokensSeen.size).toBeGreaterThanOrEqual(3);
      const leaks = sut.logs().flatMap((line) => secrets.filter((secret) => line.includes(secret)).map((secret) => `${secret.slice(0, 20)}… in ${line.slice(0, 300)}`));
      expect(leaks).toEqual([]);
    });

    it('echoed no address or token in an error body', () => {
      for (const body of errorBodies) {
        expect(body.text).not.toContain(readerEmail);
        expect(body.text).not.toContain(readerEmail.split('@')[0]);
        for (const token of tokensSeen) expect(body.text).not.toContain(token);
        expect(body.text).not.toContain(EDITOR_KEY);
      }
    });
  });
});
