import { EventEmitter } from 'node:events';
import { Consumer, Kafka } from 'kafkajs';
import { AppConfig } from '../config/config';
import { KafkaTopicsService } from '../kafka/kafka-topics.service';
import { MetricsService } from '../metrics/metrics.service';
import { ArticleIngestionService } from './article-ingestion.service';
import { ArticleEventsConsumer } from './article-events.consumer';

const EVENTS = { CRASH: 'consumer.crash', GROUP_JOIN: 'consumer.group_join' } as const;

/** A stand-in for a kafkajs consumer: its run() does what the test says, its events are emitted by hand. */
class FakeConsumer extends EventEmitter {
  readonly events = EVENTS;
  readonly connect = jest.fn(async () => undefined);
  readonly subscribe = jest.fn(async () => undefined);
  readonly disconnect = jest.fn(async () => undefined);
  constructor(readonly run: jest.Mock) {
    super();
  }
}

const SESSION_MS = 10_000;
const config = { kafka: { groupId: 'g', articlesTopic: 'articles', sessionTimeoutMs: SESSION_MS } } as AppConfig;

function consumerWith(runs: Array<() => Promise<void>>) {
  const made: FakeConsumer[] = [];
  const kafka = {
    consumer: () => {
      const consumer = new FakeConsumer(jest.fn(runs[Math.min(made.length, runs.length - 1)]));
      made.push(consumer);
      return consumer as unknown as Consumer;
    },
  } as unknown as Kafka;
  const topics = { ensureTopics: jest.fn(async () => undefined) } as unknown as KafkaTopicsService;
  const sut = new ArticleEventsConsumer(kafka, config, topics, {} as ArticleIngestionService, {} as MetricsService);
  return { sut, made };
}

const joined = async () => undefined;
const pending = () => new Promise<void>(() => undefined);

describe(ArticleEventsConsumer.name, () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  it('returns from start-up before the group takes it in', async () => {
    const { sut, made } = consumerWith([pending]);

    await sut.onApplicationBootstrap();

    expect(made).toHaveLength(1);
    expect(sut.state).toBe('starting');
    expect(sut.joinOverdue()).toBe(false);
  });

  it('replaces a consumer whose start failed, after a backoff, until one joins', async () => {
    const { sut, made } = consumerWith([async () => Promise.reject(new Error('KafkaJSGroupCoordinatorNotFound')), joined]);
    await sut.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(0);
    expect(sut.state).toBe('restarting');

    await jest.advanceTimersByTimeAsync(10_000);

    expect(made).toHaveLength(2);
    expect(made[0].disconnect).toHaveBeenCalled();
    made[1].emit(EVENTS.GROUP_JOIN);
    expect(sut.state).toBe('running');
    expect(sut.joinOverdue()).toBe(false);
  });

  it('replaces a consumer that crashed without a restart, and leaves a restarting one to kafkajs', async () => {
    const { sut, made } = consumerWith([joined]);
    await sut.onApplicationBootstrap();
    made[0].emit(EVENTS.GROUP_JOIN);

    made[0].emit(EVENTS.CRASH, { payload: { error: new Error('retriable'), restart: true } });
    await jest.advanceTimersByTimeAsync(20_000);
    expect(made).toHaveLength(1);
    made[0].emit(EVENTS.GROUP_JOIN);

    made[0].emit(EVENTS.CRASH, { payload: { error: new Error('fatal'), restart: false } });
    await jest.advanceTimersByTimeAsync(20_000);
    expect(made).toHaveLength(2);
  });

  it('reports the join overdue once out of the group longer than session plus rebalance', async () => {
    const { sut } = consumerWith([pending]);
    await sut.onApplicationBootstrap();

    expect(sut.joinOverdue(SESSION_MS + 60_000)).toBe(false);
    expect(sut.joinOverdue(SESSION_MS + 60_001)).toBe(true);
  });

  it('starts no replacement once shutting down', async () => {
    const { sut, made } = consumerWith([async () => Promise.reject(new Error('boom'))]);
    await sut.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(0);

    await sut.beforeApplicationShutdown();
    await jest.advanceTimersByTimeAsync(60_000);

    expect(made).toHaveLength(1);
    expect(sut.state).toBe('stopped');
  });
});
