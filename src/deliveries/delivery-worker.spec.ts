import { Logger } from '@nestjs/common';
import { AppConfig } from '../config/config';
import { MailTransport, SendOutcome, SmtpEnvelope } from '../mail/mail-transport';
import { MetricsService } from '../metrics/metrics.service';
import { SuppressionRepository } from '../suppression/suppression.repository';
import { AlertProgressRepository } from './alert-progress.repository';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliveryComposer } from './delivery-composer';
import { DeliveryWorker } from './delivery-worker';
import { ClaimedDelivery } from './delivery.types';
import { EligibilityListener, EligibilityWatch } from './eligibility-watch';

// The worker's eligibility bookkeeping, with the database, the LISTEN connection and
// SMTP replaced by fakes so that each interleaving is forced rather than hoped for.
// The same guarantees against the real ones: tests/reliability/unsubscribe-before-send.

type Eligibility = Awaited<ReturnType<DeliveriesRepository['currentEligibility']>>;

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

  async markSkipped(ids: readonly bigint[]): Promise<void> {
    this.skipped.push(...ids);
  }

  async markSent(ids: readonly bigint[]): Promise<void> {
    this.sent.push(...ids);
  }

  async expireLeases(): Promise<number> {
    return 0;
  }

  async renewLeases(): Promise<void> {}

  async release(): Promise<void> {}
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

const noProgress = { record: async () => [], recordFirstSends: async () => [], recordCompletions: async () => [] };
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

describe(DeliveryWorker.name, () => {
  let worker: DeliveryWorker | undefined;

  beforeAll(() => Logger.overrideLogger(false));

  afterEach(async () => {
    await worker?.beforeApplicationShutdown();
    worker = undefined;
  });

  function start(outbox: FakeOutbox, transport: MailTransport, watch: FakeWatch, duringPrepare: () => void = () => undefined): Promise<void> {
    worker = new DeliveryWorker(
      outbox as unknown as DeliveriesRepository,
      aComposer(duringPrepare) as unknown as DeliveryComposer,
      {} as SuppressionRepository,
      noProgress as unknown as AlertProgressRepository,
      watch as unknown as EligibilityWatch,
      new MetricsService(),
      transport,
      config,
    );
    return worker.onApplicationBootstrap();
  }

  const confirmed = (rows: ClaimedDelivery[], gone: string): Eligibility =>
    new Map(rows.map((row) => [row.id, { email: row.email, subscriberStatus: row.subscriberId === gone ? 'unsubscribed' : 'confirmed', suppressed: false }]));

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
    await start(outbox, transport, watch);
    await until(() => transport.handedOver.length === rows.length);

    watch.listener?.changed({ subscriberId: 'bob' });
    outbox.answer.resolve(confirmed(rows, 'bob'));
    transport.open();
    await until(() => outbox.sent.length + outbox.skipped.length === rows.length);

    expect(outbox.reads).toEqual([[2n]]);
    expect(outbox.skipped).toEqual([2n]);
    expect(transport.accepted.sort()).toEqual(['ann@example.org', 'cy@example.org']);
  });
});
