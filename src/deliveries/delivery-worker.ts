import { setTimeout as sleep } from 'node:timers/promises';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/config';
import { MailTransport } from '../mail/mail-transport';
import { MAIL_TRANSPORT } from '../mail/mail.module';
import { MetricsService } from '../metrics/metrics.service';
import { SuppressionRepository } from '../suppression/suppression.repository';
import { nextRetryDelay, shouldGiveUp } from './retry-policy';
import { DeliveriesRepository } from './deliveries.repository';
import { ComposableBatch, DeliveryComposer, OutgoingMessage } from './delivery-composer';
import { ClaimedDelivery, PRIORITY } from './delivery.types';
import { Signal } from './signal';
import { AlertRowsInHand } from './alert-rows-in-hand';
import { ineligibilityReason } from './eligibility';
import { AlertProgressRepository } from './alert-progress.repository';
import { EligibilityWatch } from './eligibility-watch';
import { EligibilityNotice, noticeConcerns } from './eligibility-notice';
import { emailHash } from '../suppression/email-hash';

const IDLE_POLL_MS = 200;
const ERROR_BACKOFF_MS = 2000;
/** Sent rows are recorded at least this often, which bounds what a crash can leave uncertain. */
const SENT_FLUSH_SIZE = 50;
/** …and at the latest this long after they were sent, so a trickle is recorded promptly too. */
const SENT_FLUSH_DELAY_MS = 50;
/** Expired leases are looked for this often rather than before every claim: a lease lasts minutes. */
const LEASE_SWEEP_MS = 5_000;

/** A claimed, eligible row waiting for a free sender, with the batch that can compose it. */
interface ReadyDelivery {
  row: ClaimedDelivery;
  batch: ComposableBatch;
  priority: number;
  /**
   * Its reader's eligibility was read and no change to it has been announced since.
   * Only worth anything while the watch is listening: otherwise every send reads again.
   */
  fresh: boolean;
  /** Notices about its reader so far: a re-read that overlapped one cannot make it fresh. */
  notices: number;
  /** The re-read under way for it; a sender that takes it meanwhile waits for the answer. */
  reading?: Promise<boolean>;
  /** A re-read found its reader ineligible and recorded it as skipped. */
  skipped?: boolean;
  /** Of its address, for matching suppression notices; computed the first time one arrives. */
  addressHash?: string | null;
  /** Set by a notice while a sender holds it: the transport hands it back unless it is already on the wire. */
  withdrawn: boolean;
}

/**
 * Drains the outbox: claim → re-check eligibility → compose → send → record.
 * Each row ends as sent, skipped, failed, or queued again with a backoff;
 * nothing here decides *whether* someone should get mail, only delivers it.
 *
 * Eligibility is read with the claim. PostgreSQL then announces every change to a
 * reader (EligibilityWatch): their rows in hand are read again before they go, and
 * a message still waiting for an SMTP connection is withdrawn first. So an
 * unsubscribe stops every email not yet on the wire when its notice arrives,
 * milliseconds after it commits, without a query per email.
 *
 * Three loops keep SMTP busy: a feeder claims the next batch while the current
 * one is still sending (before the senders run dry), senders compose each email
 * just before sending it (so a batch's first email never waits for the batch to
 * be rendered), and a flusher records sent rows in bulk without holding up a sender.
 * A wake() claims at once even when senders are busy, taking only rows more urgent
 * than those already held, so an alert overtakes a digest run already in hand.
 */
@Injectable()
export class DeliveryWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DeliveryWorker.name);
  private running = false;
  private feeder?: Promise<void>;
  private senders: Promise<void>[] = [];
  private readonly concurrency: number;
  /** Claim again when fewer rows than this wait for a sender. */
  private readonly lowWater: number;
  /** Ordered by priority (stable): an alert claimed later still goes first. */
  private readonly ready: ReadyDelivery[] = [];
  private readonly feederCall = new Signal();
  private readonly senderCall = new Signal();
  private woken = false;
  private lastLeaseSweep = 0;
  private lastLeaseRenewal = Date.now();
  private readonly sent: ClaimedDelivery[] = [];
  /** Rows senders have taken off `ready` and not finished with: waiting for a free SMTP connection counts. */
  private readonly beingSent = new Set<ReadyDelivery>();
  /** Counts notices, so a claim that overlapped one knows its reads may be stale. */
  private noticesSeen = 0;
  private flushing?: Promise<void>;
  private flushTimer?: NodeJS.Timeout;
  private readonly inHand = new AlertRowsInHand();

  constructor(
    private readonly deliveries: DeliveriesRepository,
    private readonly composer: DeliveryComposer,
    private readonly suppression: SuppressionRepository,
    private readonly alertProgress: AlertProgressRepository,
    private readonly watch: EligibilityWatch,
    private readonly metrics: MetricsService,
    @Inject(MAIL_TRANSPORT) private readonly transport: MailTransport,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.concurrency = config.smtp.poolSize * 4;
    this.lowWater = Math.max(this.concurrency * 2, Math.ceil(config.deliveryBatchSize / 2));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.watch.start({ changed: (notice) => this.forgetChecks(notice), unsure: () => this.forgetChecks() });
    this.running = true;
    this.feeder = this.feed();
    this.senders = Array.from({ length: this.concurrency }, () => this.sendLoop());
  }

  /** Stop claiming, finish what is in flight, record it, give back what was claimed but not started. */
  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    this.feederCall.notify();
    this.senderCall.notify();
    await this.feeder;
    await Promise.all(this.senders);
    const unstarted = this.ready.splice(0).map(({ row }) => row);
    this.inHand.release(unstarted);
    clearTimeout(this.flushTimer);
    // A flush already running may have checked for rows just before the last sender added one.
    await this.flushing;
    await this.flush();
    await this.deliveries.release(unstarted.map((row) => row.id));
    await this.watch.stop();
  }

  /** Called after new rows are committed, so an alert does not wait for the next poll. */
  wake(): void {
    this.woken = true;
    this.feederCall.notify();
  }

  private async feed(): Promise<void> {
    /** After a claim came back empty, only wake() or the poll interval may claim again: not senders running low. */
    let drainedUntil = 0;
    while (this.running) {
      try {
        await this.sweepExpiredLeases();
        const urgent = this.woken;
        this.woken = false;
        const full = this.ready.length >= this.lowWater;
        const wait = full ? IDLE_POLL_MS : drainedUntil - Date.now();
        if (!urgent && wait > 0) {
          await this.feederCall.wait(wait);
          continue;
        }
        const belowPriority = full ? this.ready[this.ready.length - 1].priority : undefined;
        const noticesBefore = this.noticesSeen;
        const rows = await this.deliveries.claim(this.config.deliveryBatchSize, this.config.deliveryLeaseSeconds, { belowPriority });
        if (rows.length > 0) await this.accept(rows, noticesBefore);
        else if (!full) drainedUntil = Date.now() + IDLE_POLL_MS;
      } catch (error) {
        this.logger.error({ err: (error as Error).message, msg: 'claiming deliveries failed; backing off' });
        await this.feederCall.wait(ERROR_BACKOFF_MS);
      }
    }
  }

  private async sweepExpiredLeases(): Promise<void> {
    await this.renewHeldLeases();
    if (Date.now() - this.lastLeaseSweep < LEASE_SWEEP_MS) return;
    this.lastLeaseSweep = Date.now();
    await this.deliveries.expireLeases();
  }

  /**
   * A lease covers a send, not the wait before it: behind a slow SMTP server claimed rows
   * can wait in hand longer than the lease, and would otherwise be taken for crashed sends
   * and mailed twice. Renewed at a third of the lease, rows only expire when this process dies.
   */
  private async renewHeldLeases(): Promise<void> {
    const every = (this.config.deliveryLeaseSeconds * 1000) / 3;
    if (Date.now() - this.lastLeaseRenewal < every) return;
    this.lastLeaseRenewal = Date.now();
    // In flight too: a send can wait in the SMTP pool's own queue for longer than a lease.
    const held = [...this.ready.map(({ row }) => row.id), ...[...this.beingSent].map(({ row }) => row.id), ...this.sent.map((row) => row.id)];
    await this.deliveries.renewLeases(held, this.config.deliveryLeaseSeconds);
  }

  /**
   * A reader's eligibility changed (or, without a notice, anybody's may have): what was
   * read of them is stale, and a message of theirs still waiting for a connection is withdrawn.
   */
  private forgetChecks(notice?: EligibilityNotice): void {
    this.noticesSeen += 1;
    const concerned = (entry: ReadyDelivery) =>
      notice === undefined || noticeConcerns(notice, entry.row.subscriberId, () => (entry.addressHash ??= entry.row.email ? emailHash(entry.row.email) : null));
    for (const entry of this.ready) if (concerned(entry)) this.markStale(entry);
    for (const entry of this.beingSent) {
      if (!concerned(entry)) continue;
      this.markStale(entry);
      entry.withdrawn = true;
    }
  }

  private markStale(entry: ReadyDelivery): void {
    entry.fresh = false;
    entry.notices += 1;
  }

  /**
   * Skips rows whose reader is no longer eligible, then hands the rest to the senders: as
   * fresh only if no notice has come since the claim began (`noticesBefore`) and none could be missed.
   */
  private async accept(rows: ClaimedDelivery[], noticesBefore: number): Promise<void> {
    const eligible: ClaimedDelivery[] = [];
    const skipped = new Map<string, ClaimedDelivery[]>();
    for (const row of rows) {
      const reason = ineligibilityReason(row);
      if (reason === null) eligible.push(row);
      else addToGroup(skipped, reason, row);
    }
    await this.recordSkipped(skipped, 'delivery skipped');
    if (skipped.size > 0) await this.recordAlertProgress([...skipped.values()].flat(), { sent: false });
    if (eligible.length === 0) return;
    this.inHand.hold(eligible);
    const batch = await this.composer.prepare(eligible);
    // Read only now: the rows were nowhere a notice could find them until they are pushed below.
    const fresh = this.watch.listening && this.noticesSeen === noticesBefore;
    for (const row of eligible) this.ready.push({ row, batch, priority: PRIORITY[row.kind], fresh, notices: 0, withdrawn: false });
    this.ready.sort((a, b) => a.priority - b.priority);
    this.senderCall.notify();
  }

  private async sendLoop(): Promise<void> {
    while (this.running) {
      const next = this.ready.shift();
      if (!next) {
        await this.senderCall.wait();
        continue;
      }
      // Once per crossing, not once per email: the feeder claims the next batch before this one runs dry.
      if (this.ready.length === this.lowWater - 1) this.feederCall.notify();
      await this.sendOne(next);
    }
  }

  /** Sends one row, reading its reader again first when what we know may be stale, and again after a withdrawal. */
  private async sendOne(entry: ReadyDelivery): Promise<void> {
    for (;;) {
      entry.withdrawn = false;
      this.beingSent.add(entry);
      try {
        if (!(entry.fresh && this.watch.listening)) {
          // A read already under way for it is joined: sending before its answer could send to a reader it finds gone.
          const answered = await (entry.reading ?? this.readAgain([entry, ...this.ready.filter((other) => !other.fresh && !other.reading)]));
          if (entry.skipped) return;
          if (!answered) {
            // Unknown is not eligible: nothing is sent until the database answers again (nothing could be recorded either).
            this.ready.unshift(entry);
            await sleep(ERROR_BACKOFF_MS);
            return;
          }
          // A notice about this reader arrived while the read ran: read again.
          if (!entry.fresh) continue;
        }
        if ((await this.deliver(entry)) !== 'withdrawn') return;
      } finally {
        this.beingSent.delete(entry);
      }
    }
  }

  /**
   * Reads eligibility again for `entries` in one query; skips those whose reader is no
   * longer eligible and marks the rest fresh, unless a notice came while the query ran.
   * Resolves to false when the database did not answer.
   */
  private readAgain(entries: ReadyDelivery[]): Promise<boolean> {
    const notices = entries.map((entry) => entry.notices);
    const reading = (async () => {
      try {
        const current = await this.deliveries.currentEligibility(entries.map(({ row }) => row.id));
        const skipped = new Map<string, ClaimedDelivery[]>();
        const dropped = new Set<ReadyDelivery>();
        entries.forEach((entry, i) => {
          const found = current.get(entry.row.id);
          const reason = found ? ineligibilityReason({ kind: entry.row.kind, ...found }) : 'subscriber erased';
          if (reason === null) {
            if (entry.notices === notices[i]) entry.fresh = true;
            return;
          }
          addToGroup(skipped, reason, entry.row);
          dropped.add(entry);
        });
        if (dropped.size === 0) return true;
        await this.recordSkipped(skipped, 'delivery skipped: no longer eligible when its turn came');
        for (const entry of dropped) entry.skipped = true;
        const kept = this.ready.filter((entry) => !dropped.has(entry));
        this.ready.splice(0, this.ready.length, ...kept);
        await this.recordAlertProgress([...skipped.values()].flat(), { sent: false });
        return true;
      } catch (error) {
        this.logger.error({ rows: entries.length, err: (error as Error).message, msg: 'eligibility re-check failed; holding sends' });
        return false;
      } finally {
        for (const entry of entries) entry.reading = undefined;
      }
    })();
    for (const entry of entries) entry.reading = reading;
    return reading;
  }

  private async recordSkipped(byReason: ReadonlyMap<string, ClaimedDelivery[]>, msg: string): Promise<void> {
    for (const [reason, rows] of byReason) {
      await this.deliveries.markSkipped(
        rows.map((row) => row.id),
        reason,
      );
      for (const row of rows) {
        this.metrics.deliveriesSkipped.inc({ kind: row.kind });
        this.logger.debug({ deliveryId: String(row.id), kind: row.kind, reason, msg });
      }
    }
  }

  private async deliver(entry: ReadyDelivery): Promise<'withdrawn' | 'done'> {
    const { row, batch } = entry;
    try {
      const message = batch.compose(row);
      if ('error' in message) {
        await this.deliveries.markFailed(row.id, message.error);
        this.metrics.deliveriesFailed.inc({ kind: row.kind });
        this.logger.warn({ deliveryId: String(row.id), kind: row.kind, err: message.error, msg: 'delivery failed: could not be composed' });
        await this.recordAlertProgress([row], { sent: false });
        return 'done';
      }
      const outcome = await this.send(row, message, () => entry.withdrawn);
      if (outcome === 'sent') {
        this.logger.debug({ deliveryId: String(row.id), kind: row.kind, attempt: row.attempts, msg: 'delivery accepted by SMTP' });
        this.sent.push(row);
        this.flushSoon();
      }
      return outcome === 'withdrawn' ? 'withdrawn' : 'done';
    } catch (error) {
      // Recording an outcome failed: the row keeps its lease and comes back as uncertain.
      this.inHand.release([row]);
      this.logger.error({ deliveryId: String(row.id), err: (error as Error).message, msg: 'delivery outcome not recorded' });
      return 'done';
    }
  }

  /** Failures are recorded here; a sent message is left to the flusher, a withdrawn one to the caller. */
  private async send(row: ClaimedDelivery, message: OutgoingMessage, withdrawn: () => boolean): Promise<'sent' | 'withdrawn' | 'failed'> {
    const kind = { kind: row.kind };
    const stopTimer = this.metrics.smtpLatency.startTimer();
    const outcome = await this.transport.send({ from: message.from, to: message.to }, message.raw, message.messageId, withdrawn);
    if (outcome.status === 'withdrawn') return 'withdrawn';
    stopTimer();
    if (row.wasUncertain) {
      this.metrics.uncertainResends.inc(kind);
      this.logger.warn({ deliveryId: String(row.id), kind: row.kind, msg: 'resent with the same Message-ID: a lease ran out mid-send, the server may have had it already' });
    }
    switch (outcome.status) {
      case 'sent':
        this.metrics.deliveriesSent.inc(kind);
        return 'sent';
      case 'transient':
        if (shouldGiveUp(row.attempts)) {
          await this.deliveries.markFailed(row.id, `gave up after ${row.attempts} attempts: ${outcome.error}`);
          this.metrics.deliveriesFailed.inc(kind);
          this.logger.warn({ deliveryId: String(row.id), kind: row.kind, attempt: row.attempts, err: outcome.error, msg: 'delivery failed: out of retries' });
        } else {
          const retryInMs = nextRetryDelay(row.attempts);
          await this.deliveries.markRetry(row.id, retryInMs, outcome.error);
          this.metrics.deliveriesRetried.inc(kind);
          this.logger.log({ deliveryId: String(row.id), kind: row.kind, attempt: row.attempts, retryInMs, err: outcome.error, msg: 'delivery will be retried' });
        }
        await this.recordAlertProgress([row], { sent: false });
        return 'failed';
      case 'permanent':
        await this.deliveries.markFailed(row.id, outcome.error);
        this.metrics.deliveriesFailed.inc(kind);
        if (outcome.hardBounce) await this.suppression.suppress(message.to, `hard bounce: ${outcome.error}`);
        else if (row.subscriberId) await this.suppression.recordSoftBounce(row.subscriberId, message.to, outcome.error);
        this.logger.warn({ deliveryId: String(row.id), kind: row.kind, hardBounce: outcome.hardBounce, msg: 'delivery failed permanently' });
        await this.recordAlertProgress([row], { sent: false });
        return 'failed';
    }
  }

  private flushSoon(): void {
    if (this.sent.length >= SENT_FLUSH_SIZE) {
      void this.flush();
      return;
    }
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush();
    }, SENT_FLUSH_DELAY_MS);
  }

  /** One flush at a time; whatever is sent meanwhile goes into the next round, so rounds grow with the send rate. */
  private flush(): Promise<void> {
    this.flushing ??= this.recordSent().finally(() => {
      this.flushing = undefined;
      if (this.sent.length > 0 && this.running) this.flushSoon();
    });
    return this.flushing;
  }

  private async recordSent(): Promise<void> {
    while (this.sent.length > 0) {
      // Copied, and taken off the list only once recorded: new sends are appended behind them.
      // (Putting a failed batch back with unshift(...batch) overflows the stack once a long
      // database outage has let tens of thousands of sent rows pile up.)
      const batch = this.sent.slice();
      try {
        await this.deliveries.markSent(batch.map((row) => row.id));
        this.sent.splice(0, batch.length);
      } catch (error) {
        // Kept and retried; should the process die first, the rows come back as uncertain (resent once, counted).
        this.logger.error({ rows: batch.length, err: (error as Error).message, msg: 'recording sent deliveries failed; retrying' });
        if (!this.running) return;
        await sleep(ERROR_BACKOFF_MS);
        continue;
      }
      await this.recordAlertProgress(batch, { sent: true }).catch((error: Error) =>
        this.logger.warn({ err: error.message, msg: 'alert progress not recorded; the next send or the fan-out records it' }),
      );
    }
  }

  /**
   * After rows' outcomes are recorded: an alert's first send is recorded once, and its
   * completion is checked only when this worker holds none of its rows any more.
   */
  private async recordAlertProgress(rows: readonly ClaimedDelivery[], outcome: { sent: boolean }): Promise<void> {
    const idle = this.inHand.release(rows);
    const firstUnknown = outcome.sent ? this.inHand.withoutFirstSend(uniqueIds(rows.map((row) => row.alertId))) : [];
    // In this order: a completion recorded first would be overwritten by "sending".
    for (const edge of await this.alertProgress.recordFirstSends(firstUnknown)) this.metrics.alertLatency.observe({ edge: 'first' }, edge.latencySeconds);
    this.inHand.firstSendRecorded(firstUnknown);
    for (const edge of await this.alertProgress.recordCompletions(idle)) this.metrics.alertLatency.observe({ edge: 'last' }, edge.latencySeconds);
  }

  /**
   * Brings the alerts' status up to date with their deliveries (queued → sending → sent).
   * Public because the fan-out settles an alert whose emails all went before it finished.
   */
  async settleAlerts(alertIds: readonly string[]): Promise<void> {
    if (alertIds.length === 0) return;
    const progress = await this.alertProgress.record(alertIds);
    for (const { firstSendLatencySeconds, lastSendLatencySeconds } of progress) {
      if (firstSendLatencySeconds !== null) this.metrics.alertLatency.observe({ edge: 'first' }, firstSendLatencySeconds);
      if (lastSendLatencySeconds !== null) this.metrics.alertLatency.observe({ edge: 'last' }, lastSendLatencySeconds);
    }
  }
}

function addToGroup<K, V>(groups: Map<K, V[]>, key: K, value: V): void {
  const group = groups.get(key);
  if (group) group.push(value);
  else groups.set(key, [value]);
}

function uniqueIds(ids: readonly (string | null)[]): string[] {
  return [...new Set(ids.filter((id): id is string => id !== null))];
}
