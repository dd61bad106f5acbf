import { Logger } from '@nestjs/common';
import { SystemClock } from '../common/clock';
import { AppConfig } from '../config/config';
import { MailTransport, SendOutcome, SmtpEnvelope } from '../mail/mail-transport';
import { MetricsService } from '../metrics/metrics.service';
import { PushSubscriptionsRepository } from '../push/push-subscriptions.repository';
import { SuppressionRepository } from '../suppression/suppression.repository';
import { DeliveryComposer } from './delivery-composer';
import { DeliveryEvents } from './delivery-events';
import { DeliveryLeasesRepository } from './delivery-leases.repository';
import { DeliveryOutcomesRepository } from './delivery-outcomes.repository';
import { DeliveryRecorder } from './delivery-recorder';
import { DeliveryWorker } from './delivery-worker';
import { ClaimedDelivery, HeldRow } from './delivery.types';
import { EligibilityListener, EligibilityWatch } from './eligibility-watch';
import { OutboxSignal } from './outbox-signal';
import { OutboxStatus } from './outbox-status';

// The worker's eligibility bookkeeping, with the database, the LISTEN connection and
// SMTP replaced by fakes so that each interleaving is forced rather than hoped for.
// The same guarantees against the real ones: tests/reliability/unsubscribe-before-send.

type Eligibility = Awaited<ReturnType<DeliveryOutcomesRepository['currentEligibility']>>;

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
}

function aRow(id: number, reader: string): ClaimedDelivery {
  return {
    id: BigInt(id),
    kind: 'digest',
    messageId: `<digest.${reader}@test>`,
    status: 'sending',
    wasUncertain: false,
    attempts: 1,
    subscriberId: reader,
    alertId: null,
    articleIds: [],
    relatedIds: [],
    payload: {},
    email: `${reader}@example.org`,
    subscriberStatus: 'confirmed',
    tokenVersion: 0,
    suppressed: false,
    alertCreatedAt: null,
    alertSendAt: null,
    alertStatus: null,
    alertPriority: null,
    alertTest: null,
    timezone: 'UTC',
    quietHoursStart: null,
    quietHoursEnd: null,
    maxAlertsPerDay: null,
    createdAt: new Date(),
    leaseToken: 'claim-1',
    pushSubscriptionId: null,
    pushEndpoint: null,
    pushP256dh: null,
    pushAuth: null,
  };
}

/** The outbox: one claim's rows, eligibility re-reads answered when the test says so. */
class FakeOutbox {
  readonly reads: bigint[][] = [];
  readonly skipped: bigint[] = [];
  readonly sent: bigint[] = [];
  answer = deferred<Eligibility>();

  constructor(
    private readonly rows: ClaimedDelivery[],
    private readonly duringClaim: () => void = () => undefined,
  ) {}

  async claim(): Promise<ClaimedDelivery[]> {
    this.duringClaim();
    return this.rows.splice(0);
  }

  currentEligibility(ids: readonly bigint[]): Promise<Eligibility> {
    this.reads.push([...ids]);
    return this.answer.promise;
  }

  async markSkipped(rows: readonly HeldRow[]): Promise<void> {
    this.skipped.push(...rows.map((row) => row.id));
  }

  private recording = Promise.resolve();

  async markSent(rows: readonly HeldRow[]): Promise<Set<bigint>> {
    await this.recording;
    this.sent.push(...rows.map((row) => row.id));
    return new Set(rows.map((row) => row.id));
  }

  /** Sent rows are recorded only once the returned gate is resolved: the database is slow to answer. */
  holdSentRecords(): { resolve: () => void } {
    const gate = deferred<void>();
    this.recording = gate.promise;
    return { resolve: () => gate.resolve() };
  }

  async expire(): Promise<number> {
    return 0;
  }

  /** Every lease held stays held, unless the test has handed it to someone else. */
  takenOver = new Set<bigint>();

  renewals = 0;

  async renew(rows: readonly HeldRow[]): Promise<Set<bigint>> {
    this.renewals += 1;
    return new Set(rows.map((row) => row.id).filter((id) => !this.takenOver.has(id)));
  }

  /** Outcomes other than sent and skipped: none is expected in these tests. */
  readonly otherOutcomes: string[] = [];

  async markDueAgain(row: HeldRow, status: string): Promise<boolean> {
    this.otherOutcomes.push(`${row.id}:${status}`);
    return true;
  }

  async markFailed(row: HeldRow): Promise<boolean> {
    this.otherOutcomes.push(`${row.id}:failed`);
    return true;
  }

  async release(): Promise<void> {}

  async ping(): Promise<void> {}
}

/** SMTP that holds every message until the test opens the gate, and honours withdrawal then, as SmtpTransport does once a connection is free. */
class GatedTransport implements MailTransport {
  readonly accepted: string[] = [];
  readonly handedOver: string[] = [];
  private gate = deferred<void>();

  open(): void {
    this.gate.resolve();
  }

  async send(envelope: SmtpEnvelope, _raw: Buffer, _messageId: string, withdrawn?: () => boolean): Promise<SendOutcome> {
    this.handedOver.push(envelope.to);
    await this.gate.promise;
    if (withdrawn?.()) return { status: 'withdrawn' };
    this.accepted.push(envelope.to);
    return { status: 'sent', response: '250 ok' };
  }

  async verify(): Promise<void> {}

  async close(): Promise<void> {}
}

class FakeWatch {
  listening = true;
  listener?: EligibilityListener;

  async start(listener: EligibilityListener): Promise<void> {
    this.listener = listener;
  }

  async stop(): Promise<void> {}
}

function aComposer(duringPrepare: () => void) {
  return {
    prepare: async () => {
      duringPrepare();
      return { compose: (row: ClaimedDelivery) => ({ from: 'news@test', to: row.email as string, messageId: row.messageId, raw: Buffer.from('mail') }) };
    },
  };
}
const config = { smtp: { poolSize: 1 }, deliveryBatchSize: 10, deliveryLeaseSeconds: 60 } as AppConfig;

async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 5) {
    if (waited > 5_000) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** SMTP that cannot be reached for the first `down` sends and verifications, then accepts everything. */
class FlakyRelay implements MailTransport {
  readonly accepted: string[] = [];
  sends = 0;
  verifications = 0;

  constructor(private down: number) {}

  async send(envelope: SmtpEnvelope): Promise<SendOutcome> {
    this.sends += 1;
    if (this.down > 0) {
      this.down -= 1;
      return { status: 'unreachable', error: 'ECONNREFUSED' };
    }
    this.accepted.push(envelope.to);
    return { status: 'sent', response: '250 ok' };
  }

  async verify(): Promise<void> {
    this.verifications += 1;
    if (this.down > 0) {
      this.down -= 1;
      throw new Error('ECONNREFUSED');
    }
  }

  async close(): Promise<void> {}
}

describe(DeliveryWorker.name, () => {
  let worker: DeliveryWorker | undefined;
  let status: OutboxStatus;

  beforeAll(() => Logger.overrideLogger(false));

  afterEach(async () => {
    await worker?.beforeApplicationShutdown();
    worker = undefined;
  });

  function start(outbox: FakeOutbox, transport: MailTransport, watch: FakeWatch, duringPrepare: () => void = () => undefined, settings = config): Promise<void> {
    const metrics = new MetricsService();
    const outcomes = outbox as unknown as DeliveryOutcomesRepository;
    const recorder = new DeliveryRecorder(outcomes, {} as SuppressionRepository, new DeliveryEvents(), metrics, settings, {} as PushSubscriptionsRepository);
    worker = new DeliveryWorker(
      outbox as unknown as DeliveryLeasesRepository,
      outcomes,
      recorder,
      aComposer(duringPrepare) as unknown as DeliveryComposer,
      watch as unknown as EligibilityWatch,
      (status = new OutboxStatus()),
      metrics,
      new OutboxSignal(),
      transport,
      settings,
      { send: () => Promise.reject(new Error('no push in these rows')) },
      new SystemClock(),
    );
    return worker.onApplicationBootstrap();
  }

  const confirmed = (rows: ClaimedDelivery[], gone: string): Eligibility =>
    new Map(rows.map((row) => [row.id, { email: row.email, subscriberStatus: row.subscriberId === gone ? 'unsubscribed' : 'confirmed', suppressed: false, pushEndpoint: null, alertStatus: null, alertTest: null }]));

  it('makes a sender that takes a row while its re-read runs wait for the answer, in one query for all', async () => {
    const watch = new FakeWatch();
    const rows = ['ann', 'bob', 'cy', 'dee'].map((reader, i) => aRow(i + 1, reader));
    // A notice while the claim ran: nothing it read can be trusted.
    const outbox = new FakeOutbox([...rows], () => watch.listener?.changed({ subscriberId: 'someone-else' }));
    const transport = new GatedTransport();
    transport.open();
    await start(outbox, transport, watch);

    await until(() => outbox.reads.length === 1);
    outbox.answer.resolve(confirmed(rows, 'bob'));
    await until(() => outbox.sent.length + outbox.skipped.length === rows.length);

    expect(outbox.reads).toEqual([rows.map((row) => row.id)]);
    expect(outbox.skipped).toEqual([2n]);
    expect(transport.accepted.sort()).toEqual(['ann@example.org', 'cy@example.org', 'dee@example.org']);
  });

  it('reads again rows that a notice could not reach while they were being prepared', async () => {
    const watch = new FakeWatch();
    const rows = ['ann', 'bob'].map((reader, i) => aRow(i + 1, reader));
    const outbox = new FakeOutbox([...rows]);
    const transport = new GatedTransport();
    transport.open();
    await start(outbox, transport, watch, () => watch.listener?.changed({ subscriberId: 'bob' }));

    await until(() => outbox.reads.length === 1);
    outbox.answer.resolve(confirmed(rows, 'bob'));
    await until(() => outbox.sent.length + outbox.skipped.length === rows.length);

    expect(outbox.skipped).toEqual([2n]);
    expect(transport.accepted).toEqual(['ann@example.org']);
  });

  it('withdraws a message waiting for SMTP when its reader changes, reads that reader alone, and sends the rest unread', async () => {
    const watch = new FakeWatch();
    const rows = ['ann', 'bob', 'cy'].map((reader, i) => aRow(i + 1, reader));
    const outbox = new FakeOutbox([...rows]);
    const transport = new GatedTransport();
    // A connection per row: all three are handed over and wait there.
    await start(outbox, transport, watch, undefined, { ...config, smtp: { ...config.smtp, poolSize: rows.length } });
    await until(() => transport.handedOver.length === rows.length);

    watch.listener?.changed({ subscriberId: 'bob' });
    outbox.answer.resolve(confirmed(rows, 'bob'));
    transport.open();
    await until(() => outbox.sent.length + outbox.skipped.length === rows.length);

    expect(outbox.reads).toEqual([[2n]]);
    expect(outbox.skipped).toEqual([2n]);
    expect(transport.accepted.sort()).toEqual(['ann@example.org', 'cy@example.org']);
  });

  it('never sends a row whose lease was taken over while it waited for SMTP, and records nothing for it', async () => {
    const watch = new FakeWatch();
    const rows = ['ann', 'bob'].map((reader, i) => aRow(i + 1, reader));
    const outbox = new FakeOutbox([...rows]);
    const transport = new GatedTransport();
    await start(outbox, transport, watch, undefined, { ...config, smtp: { ...config.smtp, poolSize: rows.length }, deliveryLeaseSeconds: 1.5 });
    await until(() => transport.handedOver.length === rows.length);

    outbox.takenOver.add(2n);
    const renewalsBefore = outbox.renewals;
    await until(() => outbox.renewals > renewalsBefore);
    transport.open();
    await until(() => outbox.sent.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(transport.accepted).toEqual(['ann@example.org']);
    expect(outbox.sent).toEqual([1n]);
    expect(outbox.otherOutcomes).toEqual([]);
  });

  it('pauses the whole outbox while the relay cannot be reached, spends no attempt, and sends everything once when it is back', async () => {
    const watch = new FakeWatch();
    const rows = ['ann', 'bob', 'cy'].map((reader, i) => aRow(i + 1, reader));
    const outbox = new FakeOutbox([...rows]);
    // Refuses the three sends under way together, then the first probe.
    const relay = new FlakyRelay(4);
    await start(outbox, relay, watch);

    await until(() => status.paused !== null);
    expect(status.paused?.reason).toBe('relay');
    await until(() => outbox.sent.length === rows.length);

    expect(status.paused).toBeNull();
    expect(relay.accepted.sort()).toEqual(['ann@example.org', 'bob@example.org', 'cy@example.org']);
    // Paused at the first refusal: only the sends already under way failed, then probes alone until it was back.
    expect(relay.sends).toBe(2 * rows.length);
    expect(relay.verifications).toBe(2);
    expect(outbox.otherOutcomes).toEqual([]);
  });

  it('keeps at most one email per SMTP connection accepted but unrecorded: the next waits for the record', async () => {
    const watch = new FakeWatch();
    const rows = ['ann', 'bob', 'cy'].map((reader, i) => aRow(i + 1, reader));
    const outbox = new FakeOutbox([...rows]);
    const recording = outbox.holdSentRecords();
    const relay = new FlakyRelay(0);
    await start(outbox, relay, watch, undefined, { ...config, smtp: { ...config.smtp, poolSize: 2 } });
    await until(() => relay.accepted.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(relay.accepted).toHaveLength(2);
    recording.resolve();
    await until(() => outbox.sent.length === rows.length);
    expect(relay.accepted).toHaveLength(3);
  });

  it('counts an email given up by age against the budget only while it is recorded', async () => {
    const watch = new FakeWatch();
    const tooOld = { ...aRow(1, 'old'), kind: 'alert' as const, createdAt: new Date(Date.now() - 7 * 60 * 60_000) };
    const rows = [tooOld, ...['ann', 'bob', 'cy'].map((reader, i) => aRow(i + 2, reader))];
    const outbox = new FakeOutbox([...rows]);
    const recording = outbox.holdSentRecords();
    const relay = new FlakyRelay(0);
    await start(outbox, relay, watch, undefined, { ...config, smtp: { ...config.smtp, poolSize: 2 } });
    await until(() => outbox.otherOutcomes.length === 1 && relay.accepted.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(outbox.otherOutcomes).toEqual(['1:failed']);
    expect(relay.accepted).toHaveLength(2);
    recording.resolve();
    await until(() => outbox.sent.length === 3);
  });

  it('does not start a send without half a lease left, and drops a row whose lease ran out in hand', async () => {
    const watch = new FakeWatch();
    const rows = [aRow(1, 'ann')];
    const outbox = new FakeOutbox([...rows]);
    // Renewals fail: the database is away.
    outbox.renew = async () => {
      throw new Error('connection terminated');
    };
    const transport = new GatedTransport();
    await start(outbox, transport, watch, undefined, { ...config, deliveryLeaseSeconds: 1 });
    await until(() => transport.handedOver.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    transport.open();
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(transport.accepted).toEqual([]);
    expect(outbox.sent).toEqual([]);
    expect(status.paused?.reason).toBe('database');
  });
});
