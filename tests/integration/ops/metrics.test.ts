import { EDITOR_KEY, eventually, startTestApp, TestApp } from '../../support/app';
import { anArticleEvent } from '../../support/builders';
import { produce } from '../../support/kafka';
import { ReceivedMail } from '../../support/smtp-sink';
import { parseSamples, Sample, valueOf } from './prometheus-text';

jest.setTimeout(180_000);

const HOUR_MS = 3_600_000;

/** A UTC whole hour at least five minutes ahead: a daily reader with that sendHour is due there. */
function nextUtcSlot(now = Date.now()): Date {
  let slot = Math.ceil(now / HOUR_MS) * HOUR_MS;
  if (slot - now < 5 * 60_000) slot += HOUR_MS;
  return new Date(slot);
}

function event(id: string) {
  return { key: id, value: JSON.stringify(anArticleEvent({ id, title: `Story ${id}`, url: `https://example.com/${id}`, tags: ['aichips'], publishedAt: new Date(Date.now() - 60_000).toISOString() })) };
}

// Issue 7 "metrics move as deliveries happen": one service, driven through its
// real inputs (Kafka, HTTP, SMTP answers), and every metric family read back
// from GET /metrics as Prometheus scrapes it.
describe('GET /metrics as deliveries happen', () => {
  let app: TestApp;
  const slot = nextUtcSlot();

  const scrape = async (): Promise<Sample[]> => parseSamples(await (await fetch(`${app.url}/metrics`)).text());
  const until = async (what: (samples: Sample[]) => boolean) => eventually(async () => (what(await scrape()) ? true : undefined), 60_000, 200);
  const post = (path: string, body: unknown, editor = false) =>
    fetch(`${app.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(editor ? { authorization: `Bearer ${EDITOR_KEY}` } : {}) },
      body: JSON.stringify(body),
    });
  const mailsTo = (address: string): ReceivedMail[] => app.smtp.messages.filter((mail) => mail.envelope.to.includes(address));

  beforeAll(async () => {
    app = await startTestApp({ env: { KAFKA_TOPIC_PARTITIONS: '1' } });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('counts events consumed, stored and parked, and reports the consumer lag per partition', async () => {
    await produce(app.config.kafka.brokers, app.topics.articles, [event('m-1'), event('m-2'), event('m-3'), { key: 'poison', value: '{"id": "poison"' }]);
    // Parked is counted once the DLQ acknowledged it, a moment after consumed.
    await until((s) => valueOf(s, 'dispatch_events_consumed_total') === 4 && valueOf(s, 'dispatch_events_dlq_total') === 1);
    // The lag comes from the broker's offsets, read by the health task every few seconds: wait for its round after the commit.
    const lagOf = (s: Sample[]) => s.filter((sample) => sample.name === 'dispatch_consumer_lag' && sample.labels.topic === app.topics.articles);
    await until((s) => lagOf(s).length === 1 && lagOf(s)[0].value === 0);
    const samples = await scrape();
    expect(valueOf(samples, 'dispatch_events_stored_total')).toBe(3);
    expect(lagOf(samples)).toEqual([
      { name: 'dispatch_consumer_lag', labels: { topic: app.topics.articles, partition: '0' }, value: 0 },
    ]);
  });

  it('counts confirmation mails queued and sent, and times each SMTP send', async () => {
    for (const email of ['ada@metrics.example', 'bo@metrics.example']) {
      const response = await post('/subscriptions', { email, tags: ['aichips'], timezone: 'UTC', sendHour: slot.getUTCHours() });
      expect(response.status).toBe(202);
    }
    expect(valueOf(await scrape(), 'dispatch_deliveries_queued_total', { kind: 'confirm' })).toBe(2);
    await until((s) => valueOf(s, 'dispatch_deliveries_sent_total', { kind: 'confirm' }) === 2);
    expect(valueOf(await scrape(), 'dispatch_smtp_send_seconds_count')).toBe(2);

    for (const email of ['ada@metrics.example', 'bo@metrics.example']) {
      const link = /https?:\/\/\S+\/subscriptions\/confirm\?token=[\w.~%-]+/.exec(mailsTo(email)[0]?.text ?? '')?.[0];
      expect((await fetch(link as string)).status).toBe(200);
    }
  });

  it('times the digest run and counts its deliveries', async () => {
    const response = await post('/digests/run', { at: slot.toISOString() }, true);
    expect(await response.json()).toMatchObject({ due: 2 });
    await until((s) => valueOf(s, 'dispatch_deliveries_sent_total', { kind: 'digest' }) === 2);
    const samples = await scrape();
    expect(valueOf(samples, 'dispatch_deliveries_queued_total', { kind: 'digest' })).toBe(2);
    expect(valueOf(samples, 'dispatch_digest_run_seconds_count')).toBe(1);
  });

  it('counts an alert’s retries and permanent failures, and observes its first and last send', async () => {
    await app.prisma.subscriber.create({ data: { email: 'gone@metrics.example', status: 'confirmed', tags: ['aichips'], confirmedAt: new Date() } });
    app.smtp.rejectRecipient('gone@metrics.example');
    app.smtp.failNext(1, 451);

    const response = await post('/alerts', { articleId: 'm-1' }, true);
    expect(await response.json()).toMatchObject({ recipients: 3 });
    await until((s) => valueOf(s, 'dispatch_deliveries_sent_total', { kind: 'alert' }) === 2);
    const samples = await scrape();
    expect(valueOf(samples, 'dispatch_deliveries_queued_total', { kind: 'alert' })).toBe(3);
    expect(valueOf(samples, 'dispatch_deliveries_retried_total', { kind: 'alert' })).toBe(1);
    expect(valueOf(samples, 'dispatch_deliveries_failed_total', { kind: 'alert' })).toBe(1);
    await until((s) => valueOf(s, 'dispatch_alert_send_latency_seconds_count', { edge: 'last' }) === 1);
    expect(valueOf(await scrape(), 'dispatch_alert_send_latency_seconds_count', { edge: 'first' })).toBe(1);
  });

  it('counts a delivery skipped at claim time and one resent after its lease ran out', async () => {
    const left = await app.prisma.subscriber.create({ data: { email: 'left@metrics.example', status: 'unsubscribed', tags: ['aichips'] } });
    const waiting = await app.prisma.subscriber.create({ data: { email: 'waiting@metrics.example', status: 'pending', tags: ['aichips'] } });
    await app.prisma.delivery.createMany({
      data: [
        { kind: 'confirm', dedupeKey: 'confirm:left', messageId: '<confirm.left@dispatch.test>', priority: 1, subscriberId: left.id, articleIds: [], relatedIds: [] },
        {
          kind: 'confirm',
          dedupeKey: 'confirm:waiting',
          messageId: '<confirm.waiting@dispatch.test>',
          priority: 1,
          subscriberId: waiting.id,
          articleIds: [],
          relatedIds: [],
          status: 'sending',
          attempts: 1,
          leaseUntil: new Date(Date.now() - 60_000),
        },
      ],
    });

    await until((s) => valueOf(s, 'dispatch_deliveries_uncertain_total', { kind: 'confirm' }) === 1);
    await until((s) => valueOf(s, 'dispatch_deliveries_skipped_total', { kind: 'confirm' }) === 1);
    await until((s) => valueOf(s, 'dispatch_deliveries_sent_total', { kind: 'confirm' }) === 3);
    expect(mailsTo('left@metrics.example')).toHaveLength(0);
  });
});
