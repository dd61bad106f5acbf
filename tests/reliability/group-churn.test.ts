import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from '../support/app';
import { ServiceProcess } from '../support/service-process';
import {
  anArticleEvent,
  caughtUp,
  endTotal,
  emailsTo,
  expectCleanLedger,
  Ledger,
  FAST_FAILOVER,
  manyArticleEvents,
  metric,
  outboxSettled,
  publishEvents,
  someReaders,
} from './fixtures';

jest.setTimeout(420_000);

// RELIABILITY.md F3: members join and leave the consumer group every few seconds
// while a 10,000-event stream (with breaking news in it) is published. Members
// leave both ways: SIGTERM (a clean leave, offsets committed) and SIGKILL (the
// group notices after the session timeout and redelivers the uncommitted rest).
// Redelivery is allowed; a lost event or a second effect is not.

const EVENTS = 10_000;
const BREAKING_EVERY = 500;
const PUBLISH_SLICE = 250;
const PUBLISH_INTERVAL_MS = 1_000;
const LEAVE_MS = 2_000;
const CHURN_OFFSET_MS = 5_000;

describe('Consumers joining and leaving during a large event stream', () => {
  const members: ServiceProcess[] = [];

  beforeAll(async () => {
    const env = { ...FAST_FAILOVER, KAFKA_TOPIC_PARTITIONS: '4' };
    const first = await ServiceProcess.start({ env });
    members.push(first, ...(await Promise.all([first.replica(), first.replica()])));
  }, 300_000);

  afterAll(async () => {
    // The member that owns the database and SMTP sink goes last.
    for (const member of [...members].reverse()) await member.close();
  });

  it('loses nothing and has no second effect', async () => {
    const [owner] = members;
    const brokers = owner.env.KAFKA_BROKERS.split(',');
    const { articles, group, dlq } = owner.topics;
    const readers = await someReaders(owner.prisma, 10, () => ({ tags: ['f3'] }));
    const now = new Date().toISOString();
    const events = manyArticleEvents('f3', EVENTS).map((event, i) =>
      i % BREAKING_EVERY === 0 ? anArticleEvent({ id: String(event.id), tags: ['f3'], breaking: true, publishedAt: now }) : event,
    );
    const breaking = events.filter((event) => event.breaking === true).map((event) => String(event.id));

    let publishing = true;
    const published = (async () => {
      for (let start = 0; start < events.length; start += PUBLISH_SLICE) {
        await publishEvents(brokers, articles, events.slice(start, start + PUBLISH_SLICE));
        await sleep(PUBLISH_INTERVAL_MS);
      }
      publishing = false;
    })();

    // Members 1 and 2 each leave (SIGKILL and SIGTERM in turn) and come back, over and over, out of
    // step with each other; member 0 stays. Each leave and each join is a rebalance.
    const churn: string[] = [];
    const churnLoop = async (member: ServiceProcess, firstHow: 'SIGTERM' | 'SIGKILL', delayMs: number) => {
      await sleep(delayMs);
      for (let round = 0; publishing; round++) {
        const how = round % 2 === 0 ? firstHow : firstHow === 'SIGTERM' ? 'SIGKILL' : 'SIGTERM';
        const exit = how === 'SIGTERM' ? await member.sigterm() : await member.kill9();
        if (how === 'SIGTERM') expect(exit).toEqual({ code: 0, signal: null });
        churn.push(how);
        await sleep(LEAVE_MS);
        await member.restart();
        churn.push('join');
      }
    };
    await Promise.all([churnLoop(members[1], 'SIGKILL', 0), churnLoop(members[2], 'SIGTERM', CHURN_OFFSET_MS)]);
    await published;

    await caughtUp(brokers, group, articles, 240_000);
    expect(await owner.prisma.article.count()).toBe(EVENTS);
    expect(await endTotal(brokers, dlq)).toBe(0);
    const alerts = await owner.prisma.alert.findMany({ select: { id: true, articleId: true, sequence: true } });
    expect(alerts.map((alert) => alert.articleId).sort()).toEqual([...breaking].sort());
    expect(alerts.every((alert) => alert.sequence === 0)).toBe(true);
    await outboxSettled(owner.prisma, 120_000);
    expect(await owner.prisma.delivery.count({ where: { kind: 'alert', status: 'sent' } })).toBe(breaking.length * readers.length);
    // Every SIGKILL may leave one pool of emails accepted but unrecorded.
    const ledger = new Ledger();
    for (const how of churn) if (how === 'SIGKILL') ledger.faultStruck();
    for (const alert of alerts) ledger.expect(emailsTo(readers, 'alert', alert.id));
    await expectCleanLedger(owner, ledger);

    const stored = await Promise.all(members.map((member) => metric(member.url, 'dispatch_events_stored_total').catch(() => 0)));
    process.stdout.write(`F3: ${churn.length} membership changes (${churn.join(', ')}) during ${EVENTS} events; events stored per member since its last start: ${stored.join('/')}\n`);
    await eventually(async () => ((await metric(owner.url, 'dispatch_consumer_lag')) === 0 ? true : undefined), 30_000);
  });
});
