import { randomUUID } from 'node:crypto';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Clock } from '../common/clock';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/config';
import { MailTransport } from '../mail/mail-transport';
import { MAIL_TRANSPORT } from '../mail/mail.module';
import { MetricsService } from '../metrics/metrics.service';
import { PUSH_TRANSPORT, PushTransport } from '../push/push-transport';
import { DeliveryComposer } from './delivery-composer';
import { DeliveryLeasesRepository } from './delivery-leases.repository';
import { DeliveryOutcomesRepository } from './delivery-outcomes.repository';
import { DeliveryRecorder } from './delivery-recorder';
import { ClaimedDelivery, PRIORITY } from './delivery.types';
import { giveUpAt } from './delivery-age';
import { addToGroup, EligibilityGate, RowInHand } from './eligibility-gate';
import { ineligibilityReason } from './eligibility';
import { EligibilityWatch } from './eligibility-watch';
import { capDayStart, decideMinorAlerts, needsSentToday, readerLimitsApply, sentTodayCounts } from './minor-alert-decision';
import { OutboxSignal } from './outbox-signal';
import { OutboxStatus } from './outbox-status';
import { PauseReason } from './outbox-breaker';
import { decidePush, decideSend } from './send-decision';
import { Signal } from './signal';

const IDLE_POLL_MS = 200;
const ERROR_BACKOFF_MS = 2000;
/** Expired leases are looked for this often rather than before every claim: a lease lasts minutes. */
const LEASE_SWEEP_MS = 5_000;

/**
 * Drains the outbox: claim → eligibility gate → compose → send → record.
 * Each row ends as sent, skipped, failed, uncertain or queued again with a backoff;
 * nothing here decides *whether* someone should get mail, only delivers it.
 *
 * Leases are fenced: each claim has a token that every later write names, and a row
 * goes to SMTP only while its lease is surely ours (its local deadline, measured from
 * before the claim or last renewal was sent, leaves at least half a lease). Rows whose
 * deadline passed are dropped from memory, to be swept and resent by whoever holds
 * them next. Leases are renewed before expired ones are swept.
 *
 * While the relay or the database cannot be reached the outbox pauses as a whole
 * (OutboxBreaker): nothing is claimed or sent, rows in hand keep their leases, and no
 * attempt is spent; it probes and resumes by itself.
 *
 * Three loops keep SMTP busy: a feeder claims the next batch while the current one is
 * still sending, senders compose each email just before sending it, and the recorder
 * writes sent rows in bulk. A wake() claims at once even when senders are busy,
 * taking only rows more urgent than those already held, so an alert overtakes a
 * digest run already in hand.
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
  private readonly leaseMs: number;
  /** Ordered by priority (stable): an alert claimed later still goes first. */
  private readonly ready: RowInHand[] = [];
  private readonly feederCall = new Signal();
  private readonly senderCall = new Signal();
  private woken = false;
  private lastLeaseSweep = 0;
  private lastLeaseRenewal = Date.now();
  /** Rows senders have taken off `ready` and not finished with: waiting for a free SMTP connection counts. */
  private readonly beingSent = new Set<RowInHand>();
  /** Rows whose lease ran out in hand, never sent: given back as soon as the database answers. */
  private readonly givingBack: ClaimedDelivery[] = [];
  private readonly gate: EligibilityGate;

  constructor(
    private readonly leases: DeliveryLeasesRepository,
    private readonly outcomes: DeliveryOutcomesRepository,
    private readonly recorder: DeliveryRecorder,
    private readonly composer: DeliveryComposer,
    private readonly watch: EligibilityWatch,
    private readonly status: OutboxStatus,
    private readonly metrics: MetricsService,
    signal: OutboxSignal,
    @Inject(MAIL_TRANSPORT) private readonly transport: MailTransport,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PUSH_TRANSPORT) private readonly push: PushTransport,
    private readonly clock: Clock,
  ) {
    this.concurrency = config.smtp.poolSize * 4;
    this.lowWater = Math.max(this.concurrency * 2, Math.ceil(config.deliveryBatchSize / 2));
    this.leaseMs = config.deliveryLeaseSeconds * 1000;
    this.gate = new EligibilityGate(outcomes, recorder, watch);
    signal.onQueued(() => this.wake());
    recorder.onDatabaseError = (error) => this.pause('database', error);
  }

  async onApplicationBootstrap(): Promise<void> {
    const heard = (notice?: Parameters<EligibilityGate['heard']>[0]) => this.gate.heard(notice, this.ready, this.beingSent);
    await this.watch.start({ changed: heard, unsure: () => heard() });
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
    const unstarted = [...this.ready.splice(0).map(({ row }) => row), ...this.givingBack.splice(0)];
    await this.recorder.stop();
    await this.leases.release(unstarted).catch((error: Error) => this.logger.warn({ rows: unstarted.length, err: error.message, msg: 'could not give back unsent rows; they come back when their lease runs out' }));
    await this.recorder.letGo(unstarted);
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
        await this.renewHeldLeases();
        await this.giveBackDropped();
        if (this.status.paused) {
          await this.probe();
          continue;
        }
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
        const noticesBefore = this.gate.notices;
        const claimedAt = Date.now();
        const rows = await this.leases.claim(this.config.deliveryBatchSize, this.config.deliveryLeaseSeconds, randomUUID(), { belowPriority });
        if (rows.length > 0) await this.accept(rows, noticesBefore, claimedAt + this.leaseMs);
        else if (!full) drainedUntil = Date.now() + IDLE_POLL_MS;
      } catch (error) {
        this.pause('database', error as Error);
        await this.feederCall.wait(ERROR_BACKOFF_MS);
      }
    }
  }

  private pause(reason: PauseReason, error: Error): void {
    const wasPaused = this.status.paused;
    this.status.breaker.trip(reason, error.message, Date.now());
    this.metrics.outboxPaused.set({ reason }, 1);
    if (!wasPaused || wasPaused.reason !== this.status.paused?.reason) {
      this.logger.error({ reason, err: error.message, msg: 'outbox paused: nothing is sent or given up until it can reach the relay and the database again' });
    }
  }

  /** While paused: tries what was unreachable when a probe is due, and resumes at the first success. */
  private async probe(): Promise<void> {
    const breaker = this.status.breaker;
    const wait = breaker.untilProbe(Date.now());
    if (wait > 0) {
      await this.feederCall.wait(wait);
      return;
    }
    const reason = breaker.paused?.reason;
    try {
      // The database first: the relay's turn comes once there is somewhere to record what it accepts.
      await this.leases.ping();
    } catch (error) {
      this.pause('database', error as Error);
      breaker.probeFailed((error as Error).message, Date.now());
      return;
    }
    if (reason === 'relay') {
      try {
        await this.transport.verify();
      } catch (error) {
        breaker.probeFailed((error as Error).message, Date.now());
        return;
      }
    }
    const pausedMs = breaker.close(Date.now());
    for (const each of ['relay', 'database'] as const) this.metrics.outboxPaused.set({ reason: each }, 0);
    this.logger.log({ reason, pausedMs, msg: 'outbox resumed' });
    this.senderCall.notify();
  }

  /**
   * Half a lease of grace: a holder back from a database outage renews before anyone
   * sweeps its rows. And never this instance's own claims: a sweep sent just before the
   * database went silent may run only after it answers again, when this instance's own
   * leases look expired though it still holds them.
   */
  private async sweepExpiredLeases(): Promise<void> {
    if (Date.now() - this.lastLeaseSweep < LEASE_SWEEP_MS) return;
    this.lastLeaseSweep = Date.now();
    await this.leases.expire(this.config.deliveryLeaseSeconds / 2, [...this.heldTokens()]);
  }

  private heldTokens(): Set<string> {
    const rows = [...this.ready.map(({ row }) => row), ...[...this.beingSent].map(({ row }) => row), ...this.recorder.unrecorded, ...this.givingBack];
    return new Set(rows.map((row) => row.leaseToken));
  }

  /** Gives back, unspent, the rows dropped because their lease ran out in hand: not sent, so not uncertain either. */
  private async giveBackDropped(): Promise<void> {
    if (this.givingBack.length === 0) return;
    const rows = this.givingBack.slice();
    await this.leases.release(rows);
    this.givingBack.splice(0, rows.length);
    await this.recorder.letGo(rows);
  }

  /**
   * A lease covers a send, not the wait before it: behind a slow SMTP server claimed rows
   * can wait in hand longer than the lease, and would otherwise be taken for crashed sends
   * and mailed twice. Renewed at a third of the lease. A row whose renewal says it is no
   * longer ours is dropped (or withdrawn, if a sender has it and it is not yet on the wire).
   */
  private async renewHeldLeases(): Promise<void> {
    if (Date.now() - this.lastLeaseRenewal < this.leaseMs / 3) return;
    const inHand = [...this.ready, ...this.beingSent];
    const rows = [...inHand.map(({ row }) => row), ...this.recorder.unrecorded];
    const renewedAt = Date.now();
    const renewed = await this.leases.renew(rows, this.config.deliveryLeaseSeconds);
    this.lastLeaseRenewal = renewedAt;
    const lost = new Set<RowInHand>();
    for (const entry of inHand) {
      if (renewed.has(entry.row.id)) entry.leaseDeadline = renewedAt + this.leaseMs;
      // Finished while the renewal ran (its outcome recorded, so no longer `sending`): not lost, just done.
      else if (!this.beingSent.has(entry) && !this.ready.includes(entry)) continue;
      else {
        lost.add(entry);
        entry.lost = true;
        entry.withdrawn = true;
      }
    }
    if (lost.size > 0) {
      this.dropFromReady(lost);
      this.logger.warn({ rows: lost.size, msg: 'rows in hand whose lease was taken over are dropped' });
      await this.recorder.letGo([...lost].map(({ row }) => row));
    }
  }

  /**
   * Skips rows whose reader is no longer eligible, holds or drops minor alerts their
   * reader's quiet hours or daily cap keep back, then hands the rest to the senders: as
   * fresh only if no notice has come since the claim began (`noticesBefore`) and none could be missed.
   * Should any step fail, the claim is given back at once rather than left to expire into "uncertain".
   */
  private async accept(rows: ClaimedDelivery[], noticesBefore: number, leaseDeadline: number): Promise<void> {
    const eligible: ClaimedDelivery[] = [];
    const skipped = new Map<string, ClaimedDelivery[]>();
    for (const row of rows) {
      const reason = ineligibilityReason(row);
      if (reason === null) eligible.push(row);
      else addToGroup(skipped, reason, row);
    }
    this.recorder.held(eligible);
    let batch;
    let going = eligible;
    try {
      going = await this.keepBackMinorAlerts(eligible, skipped);
      await this.recorder.skipped(skipped, 'delivery skipped');
      if (going.length === 0) return;
      batch = await this.composer.prepare(going);
    } catch (error) {
      this.logger.error({ rows: rows.length, err: (error as Error).message, msg: 'a claimed batch could not be prepared; giving it back' });
      await this.leases.release(eligible).catch(() => undefined);
      await this.recorder.letGo(eligible);
      throw error;
    }
    // Read only now: the rows were nowhere a notice could find them until they are pushed below.
    const fresh = this.gate.freshSince(noticesBefore);
    for (const row of going) this.ready.push({ row, batch, priority: PRIORITY[row.kind], leaseDeadline, fresh, notices: 0, withdrawn: false });
    this.ready.sort((a, b) => a.priority - b.priority);
    this.senderCall.notify();
  }

  /**
   * Minor alert emails wait for their reader's quiet hours to end (written back as held)
   * or are dropped, past 12 hours or the reader's daily cap (added to `skipped`); see
   * minor-alert-decision.ts. Returns the rows that go now. Costs nothing for a claim
   * without minor alerts, and one query only when some reader among them has a cap.
   *
   * The cap counts what the database says was sent today and what this instance holds
   * and has let through but not yet recorded (read before the query, so a row recorded
   * meanwhile is seen at least once): exact within one instance. Instances do not see
   * each other's rows in hand, so with several of them a reader can get one more minor
   * alert per instance that holds one for them at that moment.
   */
  private async keepBackMinorAlerts(rows: ClaimedDelivery[], skipped: Map<string, ClaimedDelivery[]>): Promise<ClaimedDelivery[]> {
    const limited = rows.filter(readerLimitsApply);
    if (limited.length === 0) return rows;
    const now = this.clock.now();
    const dayStarts = new Map(limited.filter(needsSentToday).map((row) => [row.subscriberId as string, capDayStart(row, now)]));
    const inHand = dayStarts.size === 0 ? [] : [...this.ready.map(({ row }) => row), ...[...this.beingSent].map(({ row }) => row), ...this.recorder.unrecorded];
    const sentToday = sentTodayCounts(dayStarts.keys(), await this.outcomes.minorAlertsSentSince(dayStarts), inHand);
    const decided = decideMinorAlerts(limited, now, sentToday);
    await this.recorder.postponed([...decided.hold].flatMap(([until, held]) => held.map((row) => ({ ...row, until: new Date(until) }))));
    for (const [reason, dropped] of decided.skip) for (const row of dropped) addToGroup(skipped, reason, row);
    const going = new Set(decided.go);
    return rows.filter((row) => !readerLimitsApply(row) || going.has(row));
  }

  private async sendLoop(): Promise<void> {
    while (this.running) {
      const next = this.status.paused ? undefined : this.ready.shift();
      if (!next) {
        await this.senderCall.wait(this.status.paused ? IDLE_POLL_MS : undefined);
        continue;
      }
      // Once per crossing, not once per email: the feeder claims the next batch before this one runs dry.
      if (this.ready.length === this.lowWater - 1) this.feederCall.notify();
      await this.sendOne(next);
    }
  }

  /** Usable: at least half a lease left, so the send ends well before anyone could take the row over. */
  private leaseUsable(entry: RowInHand): boolean {
    return Date.now() <= entry.leaseDeadline - this.leaseMs / 2;
  }

  private dropFromReady(entries: ReadonlySet<RowInHand>): void {
    const kept = this.ready.filter((entry) => !entries.has(entry));
    this.ready.splice(0, this.ready.length, ...kept);
  }

  /** Puts a row back at the head of its priority, for a sender to take again later. */
  private putBack(entry: RowInHand): void {
    const at = this.ready.findIndex((other) => other.priority > entry.priority);
    this.ready.splice(at === -1 ? this.ready.length : at, 0, entry);
  }

  /** Sends one row once the gate lets it through, and again after a withdrawal. */
  private async sendOne(entry: RowInHand): Promise<void> {
    for (;;) {
      if (entry.lost) return;
      if (!this.leaseUsable(entry)) {
        if (Date.now() > entry.leaseDeadline) {
          this.logger.warn({ deliveryId: String(entry.row.id), msg: 'lease ran out in hand; dropped, to be given back when the database answers' });
          this.givingBack.push(entry.row);
          return;
        }
        // Not sure enough of the lease to start a send: wait for the next renewal.
        this.putBack(entry);
        await this.senderCall.wait(IDLE_POLL_MS);
        return;
      }
      entry.withdrawn = false;
      this.beingSent.add(entry);
      try {
        const admission = await this.gate.admit(entry, this.ready, (dropped) => this.dropFromReady(dropped));
        if (admission === 'skipped') return;
        if (admission === 'unknown') {
          // Unknown is not eligible: nothing is sent until the database answers again (nothing could be recorded either).
          this.putBack(entry);
          await this.senderCall.wait(ERROR_BACKOFF_MS);
          return;
        }
        if (admission === 'stale') continue;
        if ((await this.deliver(entry)) !== 'withdrawn') return;
      } finally {
        this.beingSent.delete(entry);
      }
    }
  }

  /**
   * Holds a slot of the wire budget from before the send until its outcome is recorded
   * (the recorder gives it back), and sends the row by its channel.
   */
  private async deliver(entry: RowInHand): Promise<'withdrawn' | 'done'> {
    const { row } = entry;
    await this.recorder.budget.take();
    if (!this.running) {
      this.recorder.budget.giveBack();
      this.putBack(entry);
      return 'done';
    }
    try {
      if (new Date() > giveUpAt(row)) {
        await this.recorder.record(row, { mark: 'failed', error: 'too old to send', suppress: null }, row.email ?? '');
        return 'done';
      }
      return row.kind === 'push' ? await this.sendPush(entry) : await this.sendEmail(entry);
    } catch (error) {
      // The recorder gave the slot back.
      await this.notRecorded(row, error as Error);
      return 'done';
    }
  }

  private async sendEmail(entry: RowInHand): Promise<'withdrawn' | 'done'> {
    const { row, batch } = entry;
    const message = batch.compose(row);
    if ('error' in message) return this.uncomposable(row, message.error);
    const stopTimer = this.metrics.smtpLatency.startTimer();
    const outcome = await this.transport.send({ from: message.from, to: message.to }, message.raw, message.messageId, () => entry.withdrawn || entry.lost === true || !this.leaseUsable(entry));
    if (outcome.status === 'withdrawn') {
      this.recorder.budget.giveBack();
      return 'withdrawn';
    }
    if (outcome.status === 'sent') stopTimer();
    const decision = decideSend(outcome, row, new Date());
    if (decision.mark === 'released') {
      // Never left: it waits in hand, attempt unspent, until the relay answers again.
      this.recorder.budget.giveBack();
      this.pause('relay', new Error(decision.error));
      this.putBack(entry);
      return 'done';
    }
    this.countResend(row);
    await this.recorder.record(row, decision, message.to);
    return 'done';
  }

  /** A push: the same lease, wire budget and recorder as an email. Nothing to withdraw once its request has started. */
  private async sendPush(entry: RowInHand): Promise<'withdrawn' | 'done'> {
    const { row, batch } = entry;
    const message = batch.composePush(row);
    if ('error' in message) return this.uncomposable(row, message.error);
    if (entry.withdrawn || entry.lost === true || !this.leaseUsable(entry)) {
      this.recorder.budget.giveBack();
      return 'withdrawn';
    }
    const outcome = await this.push.send(message);
    this.countResend(row);
    await this.recorder.record(row, decidePush(outcome, row, new Date()), '');
    return 'done';
  }

  private async uncomposable(row: ClaimedDelivery, error: string): Promise<'done'> {
    await this.recorder.record(row, { mark: 'failed', error: `could not be composed: ${error}`, suppress: null }, row.email ?? '');
    return 'done';
  }

  /** A row that was uncertain went out again: the one duplicate no client can rule out, counted. */
  private countResend(row: ClaimedDelivery): void {
    if (!row.wasUncertain) return;
    this.metrics.uncertainResends.inc({ kind: row.kind });
    this.logger.warn({ deliveryId: String(row.id), kind: row.kind, msg: 'resent with the same Message-ID: an earlier attempt may have reached the server' });
  }

  /** Recording an outcome failed: the row keeps its lease and comes back as uncertain. */
  private async notRecorded(row: ClaimedDelivery, error: Error): Promise<void> {
    this.pause('database', error);
    await this.recorder.letGo([row]);
    this.logger.error({ deliveryId: String(row.id), err: error.message, msg: 'delivery outcome not recorded' });
  }
}
