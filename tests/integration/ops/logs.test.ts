import { EDITOR_KEY, eventually } from '../../support/app';
import { anArticleEvent } from '../../support/builders';
import { produce } from '../../support/kafka';
import { headerValue } from '../../support/smtp-sink';
import { ServiceProcess } from '../../support/service-process';

jest.setTimeout(300_000);

const HOUR_MS = 3_600_000;
const READER = 'Quentin.Private+news@Logs-Example.org';

/** Every token in the links of a text, e.g. ?token=abc… → abc… */
function tokensIn(text: string): string[] {
  return [...text.matchAll(/[?&]token=([\w.~%-]+)/g)].map((match) => decodeURIComponent(match[1]));
}

interface LogLine {
  level: number;
  msg?: string;
  req?: { id?: string; method?: string; path?: string };
  deliveryId?: string;
}

// Issue 7 "no email addresses or tokens in logs at info level": the service as a
// process with LOG_LEVEL=info, its stdout captured, driven through a reader's whole
// path — subscribe, confirm, digest (with one SMTP retry), preferences, unsubscribe.
describe('Logs at LOG_LEVEL=info', () => {
  let service: ServiceProcess;

  beforeAll(async () => {
    service = await ServiceProcess.start({ env: { LOG_LEVEL: 'info' } });
  });

  afterAll(async () => {
    await service?.close();
  });

  it('are JSON with a request id per request and a deliveryId on delivery lines, and never show an address or a token', async () => {
    const { smtp, topics, prisma } = service;
    const brokers = (service.env.KAFKA_BROKERS ?? '').split(',');
    let slot = Math.ceil(Date.now() / HOUR_MS) * HOUR_MS;
    if (slot - Date.now() < 5 * 60_000) slot += HOUR_MS;
    await produce(brokers, topics.articles, [
      {
        key: 'logs-story',
        value: JSON.stringify(anArticleEvent({ id: 'logs-story', title: 'Chip rules tighten', url: 'https://example.com/logs-story', tags: ['aichips'], publishedAt: new Date().toISOString() })),
      },
    ]);
    await eventually(async () => ((await prisma.article.count()) === 1 ? true : undefined), 60_000);

    const subscribed = await fetch(`${service.url}/subscriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'ops-log-subscribe' },
      body: JSON.stringify({ email: READER, tags: ['aichips'], timezone: 'UTC', sendHour: new Date(slot).getUTCHours() }),
    });
    expect(subscribed.status).toBe(202);
    expect(subscribed.headers.get('x-request-id')).toBe('ops-log-subscribe');
    const [confirmation] = await smtp.waitFor(1);
    const confirmLink = /https?:\/\/\S+\/subscriptions\/confirm\?token=[\w.~%-]+/.exec(confirmation.text ?? '')?.[0] as string;
    expect((await fetch(confirmLink)).status).toBe(200);

    smtp.failNext(1, 451);
    const run = await fetch(`${service.url}/digests/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${EDITOR_KEY}` },
      body: JSON.stringify({ at: new Date(slot).toISOString() }),
    });
    expect(run.status).toBe(202);
    const [, digest] = await smtp.waitFor(2, 60_000);
    const unsubscribeUrl = /<([^>]+)>/.exec(headerValue(digest, 'List-Unsubscribe') ?? '')?.[1] as string;
    const preferencesUrl = /https?:\/\/\S+\/preferences\?token=[\w.~%-]+/.exec(digest.text ?? '')?.[0] as string;
    expect((await fetch(preferencesUrl)).status).toBe(200);
    const unsubscribed = await fetch(unsubscribeUrl, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(unsubscribed.status).toBe(200);
    await service.waitForLog(/"path":"\/unsubscribe"/, 10_000);

    const raw = service.logs();
    const lines = raw.map((line) => JSON.parse(line) as LogLine);
    const everything = raw.join('\n').toLowerCase();
    const tokens = [...new Set([...tokensIn(confirmation.text ?? ''), ...tokensIn(digest.text ?? ''), ...tokensIn(unsubscribeUrl)])];
    expect(tokens.length).toBeGreaterThanOrEqual(3);
    for (const secret of [READER.toLowerCase(), 'quentin.private', 'logs-example.org', EDITOR_KEY.toLowerCase(), ...tokens.map((t) => t.toLowerCase())]) {
      expect({ secret, found: everything.includes(secret) }).toEqual({ secret, found: false });
    }
    expect(everything).not.toContain('token=');

    const requests = lines.filter((line) => line.req !== undefined);
    expect(requests.find((line) => line.req?.id === 'ops-log-subscribe')).toMatchObject({ req: { method: 'POST', path: '/subscriptions' } });
    expect(requests.filter((line) => !line.req?.id)).toEqual([]);
    const digestRow = await prisma.delivery.findFirstOrThrow({ where: { kind: 'digest' } });
    expect(lines.find((line) => line.msg === 'delivery will be retried')).toMatchObject({ level: 30, deliveryId: String(digestRow.id) });
  });
});
