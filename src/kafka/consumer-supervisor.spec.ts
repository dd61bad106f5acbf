import { EventEmitter } from 'node:events';
import { Consumer, Kafka } from 'kafkajs';
import { ConsumerSupervisor } from './consumer-supervisor';

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

function consumerWith(runs: Array<() => Promise<void>>) {
  const made: FakeConsumer[] = [];
  const kafka = {
    consumer: () => {
      const consumer = new FakeConsumer(jest.fn(runs[Math.min(made.length, runs.length - 1)]));
      made.push(consumer);
      return consumer as unknown as Consumer;
    },
  } as unknown as Kafka;
  let now = 0;
  const sut = new ConsumerSupervisor(kafka, { groupId: 'g', topic: 'articles', sessionTimeoutMs: SESSION_MS, eachBatch: async () => undefined }, () => now);
  return { sut, made, setNow: (ms: number) => (now = ms) };
}

const joined = async () => undefined;
const pending = () => new Promise<void>(() => undefined);

describe(ConsumerSupervisor.name, () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  it('returns from start-up before the group takes it in', async () => {
    const { sut, made } = consumerWith([pending]);

    sut.start();

    expect(made).toHaveLength(1);
    expect(sut.state).toBe('starting');
    expect(sut.joinOverdue()).toBe(false);
  });

  it('replaces a consumer whose start failed, after a backoff, until one joins', async () => {
    const { sut, made } = consumerWith([async () => Promise.reject(new Error('KafkaJSGroupCoordinatorNotFound')), joined]);
    sut.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(sut.state).toBe('restarting');

    await jest.advanceTimersByTimeAsync(10_000);

    expect(made).toHaveLength(2);
    expect(made[0].disconnect).toHaveBeenCalled();
    made[1].emit(EVENTS.GROUP_JOIN, { payload: {} });
    expect(sut.state).toBe('running');
    expect(sut.joinOverdue()).toBe(false);
  });

  it('replaces a consumer that crashed without a restart, and leaves a restarting one to kafkajs', async () => {
    const { sut, made } = consumerWith([joined]);
    sut.start();
    made[0].emit(EVENTS.GROUP_JOIN, { payload: {} });

    made[0].emit(EVENTS.CRASH, { payload: { error: new Error('retriable'), restart: true } });
    await jest.advanceTimersByTimeAsync(20_000);
    expect(made).toHaveLength(1);
    made[0].emit(EVENTS.GROUP_JOIN, { payload: {} });

    made[0].emit(EVENTS.CRASH, { payload: { error: new Error('fatal'), restart: false } });
    await jest.advanceTimersByTimeAsync(20_000);
    expect(made).toHaveLength(2);
  });

  it('reports the join overdue once out of the group longer than session plus rebalance', async () => {
    const { sut, setNow } = consumerWith([pending]);
    sut.start();

    setNow(SESSION_MS + 60_000);
    expect(sut.joinOverdue()).toBe(false);
    setNow(SESSION_MS + 60_001);
    expect(sut.joinOverdue()).toBe(true);
  });

  it('knows the partitions of its topic it was given, and forgets them when it leaves the group', async () => {
    const { sut, made } = consumerWith([joined]);
    sut.start();
    made[0].emit(EVENTS.GROUP_JOIN, { payload: { memberAssignment: { articles: [0, 2], other: [1] } } });
    expect(sut.partitions).toEqual([0, 2]);

    made[0].emit(EVENTS.CRASH, { payload: { error: new Error('retriable'), restart: true } });
    expect(sut.partitions).toEqual([]);
  });

  it('starts no replacement once shutting down', async () => {
    const { sut, made } = consumerWith([async () => Promise.reject(new Error('boom'))]);
    sut.start();
    await jest.advanceTimersByTimeAsync(0);

    await sut.stop();
    await jest.advanceTimersByTimeAsync(60_000);

    expect(made).toHaveLength(1);
    expect(sut.state).toBe('stopped');
  });
});
