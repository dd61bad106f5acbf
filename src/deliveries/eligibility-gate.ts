import { Logger } from '@nestjs/common';
import { emailHash } from '../suppression/email-hash';
import { ComposableBatch } from './delivery-composer';
import { DeliveryOutcomesRepository } from './delivery-outcomes.repository';
import { DeliveryRecorder } from './delivery-recorder';
import { ClaimedDelivery } from './delivery.types';
import { ineligibilityReason } from './eligibility';
import { EligibilityNotice, noticeConcerns } from './eligibility-notice';
import { EligibilityWatch } from './eligibility-watch';

/** A claimed, eligible row in this instance's hands, with the batch that can compose it. */
export interface RowInHand {
  row: ClaimedDelivery;
  batch: ComposableBatch;
  priority: number;
  /** Local time (ms) until which the lease is surely ours: measured from before the claim or renewal was sent. */
  leaseDeadline: number;
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
  /** Set by a notice (or a lost lease) while a sender holds it: the transport hands it back unless it is already on the wire. */
  withdrawn: boolean;
  /** Its lease was taken over: it is someone else's to send now, never ours again. */
  lost?: boolean;
}

export type Admission = 'go' | 'skipped' | 'unknown' | 'stale';

/**
 * Keeps rows in hand from going to readers who are no longer eligible.
 * Eligibility is read with the claim; PostgreSQL then announces every change to a
 * reader (EligibilityWatch), and the rows of that reader are read again before they
 * go, a message still waiting for an SMTP connection withdrawn first. So an
 * unsubscribe stops every email not yet on the wire when its notice arrives,
 * milliseconds after it commits, without a query per email.
 */
export class EligibilityGate {
  private readonly logger = new Logger(EligibilityGate.name);
  /** Counts notices, so a claim that overlapped one knows its reads may be stale. */
  private noticesSeen = 0;

  constructor(
    private readonly outcomes: DeliveryOutcomesRepository,
    private readonly recorder: DeliveryRecorder,
    private readonly watch: EligibilityWatch,
  ) {}

  get notices(): number {
    return this.noticesSeen;
  }

  /** Whether rows read by a claim that began at `noticesBefore` may be trusted until the next notice. */
  freshSince(noticesBefore: number): boolean {
    return this.watch.listening && this.noticesSeen === noticesBefore;
  }

  /**
   * A reader's eligibility changed (or, without a notice, anybody's may have): what was
   * read of them is stale, and a message of theirs still waiting for a connection is withdrawn.
   */
  heard(notice: EligibilityNotice | undefined, waiting: Iterable<RowInHand>, beingSent: Iterable<RowInHand>): void {
    this.noticesSeen += 1;
    const concerned = (entry: RowInHand) =>
      notice === undefined || noticeConcerns(notice, entry.row, () => (entry.addressHash ??= entry.row.email ? emailHash(entry.row.email) : null));
    for (const entry of waiting) if (concerned(entry)) markStale(entry);
    for (const entry of beingSent) {
      if (!concerned(entry)) continue;
      markStale(entry);
      entry.withdrawn = true;
    }
  }

  /**
   * Whether `entry` may go now. A stale one is read again, together with the other
   * stale rows waiting (`waiting`); rows found ineligible are recorded as skipped and
   * taken out through `drop`. `unknown`: the database did not answer; `stale`: a notice
   * came while reading, so read again.
   */
  async admit(entry: RowInHand, waiting: readonly RowInHand[], drop: (entries: ReadonlySet<RowInHand>) => void): Promise<Admission> {
    if (entry.fresh && this.watch.listening) return 'go';
    // A read already under way for it is joined: sending before its answer could send to a reader it finds gone.
    const answered = await (entry.reading ?? this.readAgain([entry, ...waiting.filter((other) => !other.fresh && !other.reading)], drop));
    if (entry.skipped) return 'skipped';
    if (!answered) return 'unknown';
    return entry.fresh ? 'go' : 'stale';
  }

  /**
   * Reads eligibility again for `entries` in one query; skips those whose reader is no
   * longer eligible and marks the rest fresh, unless a notice came while the query ran.
   * Resolves to false when the database did not answer.
   */
  private readAgain(entries: RowInHand[], drop: (entries: ReadonlySet<RowInHand>) => void): Promise<boolean> {
    const notices = entries.map((entry) => entry.notices);
    const reading = (async () => {
      try {
        const current = await this.outcomes.currentEligibility(entries.map(({ row }) => row.id));
        const skipped = new Map<string, ClaimedDelivery[]>();
        const dropped = new Set<RowInHand>();
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
        await this.recorder.skipped(skipped, 'delivery skipped: no longer eligible when its turn came');
        for (const entry of dropped) entry.skipped = true;
        drop(dropped);
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
}

function markStale(entry: RowInHand): void {
  entry.fresh = false;
  entry.notices += 1;
}

export function addToGroup<K, V>(groups: Map<K, V[]>, key: K, value: V): void {
  const group = groups.get(key);
  if (group) group.push(value);
  else groups.set(key, [value]);
}
