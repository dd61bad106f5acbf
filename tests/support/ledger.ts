import type { PrismaClient } from '../../src/generated/prisma/client';
import type { ReceivedMail } from './smtp-sink';

/**
 * The ledger check of RELIABILITY.md. What should have arrived comes from the
 * test (the readers it made and what it published), never from the service's
 * rows alone: a row marked `failed`, never created or moved past is exactly the
 * loss this check exists to see. The rows are read for one thing only, which
 * duplicates the service counted as `uncertain`, and for saying why an email
 * went missing.
 *
 *   const ledger = new Ledger();
 *   ledger.expect(emailsTo(readers, 'alert', alertId));
 *   ledger.forbid(unsubscribed, 'unsubscribed before the send');
 *   const report = checkLedger({ ...ledger.expectation(), received, rows: await deliveryRows(prisma), connectionsInUse: 8 });
 *   assertCleanLedger(report);
 */

/** `push` is a web push: its "address" is the browser's (see TestPushService.ledgerAddress), its Message-ID the row's. */
export type EmailKind = 'alert' | 'digest' | 'confirm' | 'manage' | 'push';

/** What the ledger reads of a received message: the SMTP sink's mail, or a push the test push service took. */
export type LedgerReceived = Pick<ReceivedMail, 'envelope' | 'messageId'>;

/** One email the test knows must arrive exactly once. */
export interface ExpectedEmail {
  /** The reader's address as the test made it; compared case-insensitively with the envelope recipient. */
  to: string;
  kind: EmailKind;
  /**
   * What the email delivers, when a reader gets more than one of a kind: a part of
   * its Message-ID (CONTRACT.md: `<kind.parts@host>`), e.g. the alert id or the digest period.
   */
  about?: string;
}

/** An address that must receive nothing: the test made it unconfirmed, unsubscribed, erased or suppressed. */
export interface ForbiddenAddress {
  to: string;
  why: string;
}

/** A Delivery row as the ledger reads it (deliveryRows()). */
export interface LedgerRow {
  messageId: string;
  kind: string;
  status: string;
  attempts: number;
  uncertainResends: number;
  lastError: string | null;
  /** The reader's address now, null once erased. */
  email: string | null;
}

export interface LedgerInput {
  expected: readonly ExpectedEmail[];
  forbidden?: readonly ForbiddenAddress[];
  received: readonly LedgerReceived[];
  rows: readonly LedgerRow[];
  /**
   * The most messages that can have been on the wire when a fault struck: the SMTP
   * connections the service under test uses (SMTP_POOL_SIZE). Each may legitimately
   * arrive twice if its row is counted `uncertain`; more such rows is a failure.
   */
  connectionsInUse: number;
  /** Faults that struck mid-send over what `received` covers (a crash, an outage); 1 unless told. Each allows its own `connectionsInUse`. */
  faults?: number;
}

export interface LedgerEntry {
  messageId?: string;
  to?: string;
  kind?: string;
  /** Why this entry is in its list, in words. */
  why: string;
}

export interface LedgerReport {
  /** Expected emails that never arrived, whatever their row says. */
  lost: LedgerEntry[];
  /** Message-IDs received more often than allowed (see LedgerInput.connectionsInUse). */
  duplicate: LedgerEntry[];
  /** Envelope recipients the test forbade, never made, or sent an email it did not expect. */
  unexpected: LedgerEntry[];
  /** Rows the service counted `uncertain` (uncertainResends > 0 or status uncertain), excused or not. */
  uncertain: LedgerEntry[];
  expected: number;
  received: number;
  /** How many counted uncertain rows may have arrived twice: connections in use × faults. */
  duplicatesAllowed: number;
  clean: boolean;
}

/** Collects what a test file made, test by test, so one check covers everything its service ever sent. */
export class Ledger {
  private readonly emails: ExpectedEmail[] = [];
  private readonly addresses: ForbiddenAddress[] = [];
  private faults = 0;

  expect(emails: readonly ExpectedEmail[]): this {
    this.emails.push(...emails);
    return this;
  }

  forbid(addresses: readonly (string | { email: string })[], why: string): this {
    for (const address of addresses) this.addresses.push({ to: typeof address === 'string' ? address : address.email, why });
    return this;
  }

  /** A fault struck while emails were on the wire: up to one more pool of them may have gone out twice. */
  faultStruck(): this {
    this.faults += 1;
    return this;
  }

  expectation(): { expected: readonly ExpectedEmail[]; forbidden: readonly ForbiddenAddress[]; faults: number } {
    return { expected: [...this.emails], forbidden: [...this.addresses], faults: Math.max(1, this.faults) };
  }
}

/** One email of `kind` to each reader; `about` tells it apart from others of that kind (alert id, digest period). */
export function emailsTo(readers: readonly { email: string }[], kind: EmailKind, about?: string): ExpectedEmail[] {
  return readers.map((reader) => ({ to: reader.email, kind, about }));
}

/** The Delivery rows with their reader's current address. */
export function deliveryRows(prisma: PrismaClient): Promise<LedgerRow[]> {
  return prisma.$queryRaw<LedgerRow[]>`
    SELECT d."messageId", d."kind"::text AS "kind", d."status"::text AS "status", d."attempts", d."uncertainResends", d."lastError", s."email"
    FROM "Delivery" d LEFT JOIN "Subscriber" s ON s."id" = d."subscriberId"`;
}

interface ReceivedMessage {
  messageId: string;
  kind: string;
  recipients: Set<string>;
  copies: number;
}

const lower = (address: string) => address.toLowerCase();

/** `<alert.abc.def@host>` → alert: CONTRACT.md derives every Message-ID from what the email delivers. */
function kindOf(messageId: string): string {
  return /^<?([a-z]+)\./i.exec(messageId)?.[1] ?? '(unknown)';
}

function isCountedUncertain(row: LedgerRow): boolean {
  return row.status === 'uncertain' || row.uncertainResends > 0;
}

function groupByMessageId(received: readonly LedgerReceived[]): ReceivedMessage[] {
  const byId = new Map<string, ReceivedMessage>();
  for (const mail of received) {
    const messageId = mail.messageId ?? '(no Message-ID)';
    const message = byId.get(messageId) ?? { messageId, kind: kindOf(messageId), recipients: new Set<string>(), copies: 0 };
    message.copies += 1;
    for (const to of mail.envelope.to) message.recipients.add(lower(to));
    byId.set(messageId, message);
  }
  return [...byId.values()];
}

function matches(email: ExpectedEmail, message: ReceivedMessage): boolean {
  return message.recipients.has(lower(email.to)) && message.kind === email.kind && (email.about === undefined || message.messageId.includes(email.about));
}

function whyLost(email: ExpectedEmail, rows: readonly LedgerRow[]): string {
  const row = rows.find((candidate) => candidate.email !== null && lower(candidate.email) === lower(email.to) && candidate.kind === email.kind && (email.about === undefined || candidate.messageId.includes(email.about)));
  if (!row) return 'never arrived, and the service never created a row for it';
  const error = row.lastError ? ` (${row.lastError})` : '';
  return `never arrived; its row ${row.messageId} is ${row.status} after ${row.attempts} attempt(s)${error}`;
}

/** RELIABILITY.md's ledger: a pure comparison of what the test expected with what the SMTP server received. */
export function checkLedger(input: LedgerInput): LedgerReport {
  const messages = groupByMessageId(input.received);
  const rowsById = new Map(input.rows.map((row) => [row.messageId, row]));
  const matched = new Map<ReceivedMessage, ExpectedEmail>();
  const lost: LedgerEntry[] = [];

  // Expectations naming what they deliver go first, so a vaguer one cannot take their email.
  const ordered = [...input.expected].sort((a, b) => Number(b.about !== undefined) - Number(a.about !== undefined));
  for (const email of ordered) {
    const message = messages.find((candidate) => !matched.has(candidate) && matches(email, candidate));
    if (message) matched.set(message, email);
    else lost.push({ to: email.to, kind: email.kind, why: `${email.kind}${email.about ? ` about ${email.about}` : ''} ${whyLost(email, input.rows)}` });
  }

  const forbidden = new Map((input.forbidden ?? []).map((address) => [lower(address.to), address.why]));
  const known = new Set(input.expected.map((email) => lower(email.to)));
  const unexpected: LedgerEntry[] = [];
  for (const message of messages) {
    const email = matched.get(message);
    for (const to of message.recipients) {
      if (email && lower(email.to) === to) continue;
      const entry = { messageId: message.messageId, to, kind: message.kind };
      const reason = forbidden.get(to);
      if (reason !== undefined) unexpected.push({ ...entry, why: `sent to an address that must get nothing: ${reason}` });
      else if (!known.has(to)) unexpected.push({ ...entry, why: 'sent to an address the test never made or expected mail for' });
      else if (email) unexpected.push({ ...entry, why: `an extra envelope recipient on ${email.to}'s email` });
      else unexpected.push({ ...entry, why: `a ${message.kind} email this reader was not expected to get (or one more than expected)` });
    }
  }

  const uncertain: LedgerEntry[] = input.rows.filter(isCountedUncertain).map((row) => ({
    messageId: row.messageId,
    to: row.email ?? undefined,
    kind: row.kind,
    why: `row ${row.status}, uncertainResends ${row.uncertainResends}`,
  }));

  const duplicate: LedgerEntry[] = [];
  const excused: ReceivedMessage[] = [];
  for (const message of messages.filter((candidate) => candidate.copies > 1)) {
    const row = rowsById.get(message.messageId);
    const entry = { messageId: message.messageId, to: [...message.recipients].join(','), kind: message.kind };
    if (!row) duplicate.push({ ...entry, why: `received ${message.copies} times and no row has this Message-ID` });
    else if (!isCountedUncertain(row)) duplicate.push({ ...entry, why: `received ${message.copies} times; its row (${row.status}) was never counted uncertain` });
    else if (message.copies > 2) duplicate.push({ ...entry, why: `received ${message.copies} times; a counted uncertain row may arrive twice at most` });
    else excused.push(message);
  }
  const faults = input.faults ?? 1;
  const duplicatesAllowed = input.connectionsInUse * faults;
  if (excused.length > duplicatesAllowed) {
    for (const message of excused) {
      duplicate.push({
        messageId: message.messageId,
        to: [...message.recipients].join(','),
        kind: message.kind,
        why: `received twice as one of ${excused.length} uncertain rows, more than the ${input.connectionsInUse} SMTP connection(s) × ${faults} fault(s) that can have been mid-send`,
      });
    }
  }

  return {
    lost,
    duplicate,
    unexpected,
    uncertain,
    expected: input.expected.length,
    received: input.received.length,
    duplicatesAllowed,
    clean: lost.length === 0 && duplicate.length === 0 && unexpected.length === 0,
  };
}

const SHOWN_PER_LIST = 20;

function describeEntries(title: string, entries: readonly LedgerEntry[]): string[] {
  if (entries.length === 0) return [`${title}: 0`];
  const lines = entries.slice(0, SHOWN_PER_LIST).map((entry) => `  - ${[entry.kind, entry.to, entry.messageId].filter(Boolean).join(' ')}: ${entry.why}`);
  if (entries.length > SHOWN_PER_LIST) lines.push(`  … and ${entries.length - SHOWN_PER_LIST} more`);
  return [`${title}: ${entries.length}`, ...lines];
}

/** The report in words, every entry with its reason: what a failing test prints. */
export function formatLedger(report: LedgerReport): string {
  return [
    `ledger ${report.clean ? 'clean' : 'NOT clean'}: ${report.expected} expected, ${report.received} received, duplicates allowed for at most ${report.duplicatesAllowed} uncertain row(s)`,
    ...describeEntries('lost', report.lost),
    ...describeEntries('duplicate', report.duplicate),
    ...describeEntries('unexpected', report.unexpected),
    ...describeEntries('uncertain (counted)', report.uncertain),
  ].join('\n');
}

/** Throws the whole report when the ledger is not clean: lost 0, unexpected 0, duplicates only as excused uncertain rows. */
export function assertCleanLedger(report: LedgerReport): LedgerReport {
  if (!report.clean) throw new Error(formatLedger(report));
  return report;
}
