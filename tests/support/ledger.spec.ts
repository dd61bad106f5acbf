import { checkLedger, emailsTo, formatLedger, Ledger, LedgerInput, LedgerRow } from './ledger';
import type { ReceivedMail } from './smtp-sink';

const HOST = 'dispatch.test';

function mail(to: string, messageId: string): ReceivedMail {
  return { envelope: { from: 'bounces@dispatch.test', to: [to] }, messageId, headers: new Map(), headerLines: [], raw: Buffer.alloc(0), receivedAt: new Date(0) };
}

function row(email: string | null, messageId: string, overrides: Partial<LedgerRow> = {}): LedgerRow {
  return { messageId, kind: messageId.slice(1, messageId.indexOf('.')), status: 'sent', attempts: 1, uncertainResends: 0, lastError: null, email, ...overrides };
}

const alertId = (reader: string, alert = 'a1') => `<alert.${alert}.${reader}@${HOST}>`;
const readers = ['ana@readers.test', 'bo@readers.test', 'cy@readers.test'].map((email) => ({ email }));

function input(overrides: Partial<LedgerInput>): LedgerInput {
  return { expected: emailsTo(readers, 'alert', 'a1'), received: [], rows: [], connectionsInUse: 2, ...overrides };
}

const everyoneOnce = () => readers.map((reader) => mail(reader.email, alertId(reader.email)));
const sentRows = () => readers.map((reader) => row(reader.email, alertId(reader.email)));

describe('checkLedger', () => {
  it('is clean when every expected email arrived once', () => {
    const report = checkLedger(input({ received: everyoneOnce(), rows: sentRows() }));
    expect(report).toMatchObject({ clean: true, lost: [], duplicate: [], unexpected: [], expected: 3, received: 3 });
  });

  it('counts an email lost whatever its row says: failed, sent, or never created', () => {
    const rows = [row(readers[0].email, alertId(readers[0].email), { status: 'failed', attempts: 10, lastError: 'gave up: ECONNREFUSED' }), row(readers[1].email, alertId(readers[1].email))];
    const report = checkLedger(input({ received: [], rows }));
    expect(report.clean).toBe(false);
    expect(report.lost.map((entry) => [entry.to, entry.why])).toEqual([
      ['ana@readers.test', expect.stringContaining('is failed after 10 attempt(s) (gave up: ECONNREFUSED)')],
      ['bo@readers.test', expect.stringContaining('is sent after 1 attempt(s)')],
      ['cy@readers.test', expect.stringContaining('never created a row')],
    ]);
  });

  it('tells two emails of one kind to one reader apart by what they deliver', () => {
    const expected = [...emailsTo([readers[0]], 'alert', 'a1'), ...emailsTo([readers[0]], 'alert', 'a2')];
    const received = [mail(readers[0].email, alertId(readers[0].email, 'a1'))];
    const report = checkLedger(input({ expected, received }));
    expect(report.lost).toEqual([expect.objectContaining({ to: readers[0].email, why: expect.stringContaining('about a2') })]);
  });

  it('matches the envelope recipient case-insensitively', () => {
    const received = readers.map((reader) => mail(reader.email.toUpperCase(), alertId(reader.email)));
    expect(checkLedger(input({ received })).clean).toBe(true);
  });

  it('does not excuse a Message-ID received twice when its row was never counted uncertain', () => {
    const received = [...everyoneOnce(), mail(readers[0].email, alertId(readers[0].email))];
    const report = checkLedger(input({ received, rows: sentRows() }));
    expect(report.duplicate).toEqual([expect.objectContaining({ messageId: alertId(readers[0].email), why: expect.stringContaining('never counted uncertain') })]);
  });

  it('excuses one resend per counted uncertain row, up to the connections in use', () => {
    const received = [...everyoneOnce(), mail(readers[0].email, alertId(readers[0].email)), mail(readers[1].email, alertId(readers[1].email))];
    const rows = sentRows().map((entry, i) => (i < 2 ? { ...entry, uncertainResends: 1 } : entry));
    const report = checkLedger(input({ received, rows, connectionsInUse: 2 }));
    expect(report).toMatchObject({ clean: true, duplicate: [] });
    expect(report.uncertain).toHaveLength(2);
  });

  it('refuses more uncertain duplicates than connections that can have been mid-send', () => {
    const received = [...everyoneOnce(), ...everyoneOnce()];
    const rows = sentRows().map((entry) => ({ ...entry, status: 'uncertain' }));
    const report = checkLedger(input({ received, rows, connectionsInUse: 2 }));
    expect(report.duplicate).toHaveLength(3);
    expect(report.duplicate[0].why).toContain('one of 3 uncertain rows, more than the 2 SMTP connection(s) × 1 fault(s)');
  });

  it('allows one pool of uncertain duplicates per fault that struck', () => {
    const received = [...everyoneOnce(), ...everyoneOnce()];
    const rows = sentRows().map((entry) => ({ ...entry, status: 'uncertain' }));
    expect(checkLedger(input({ received, rows, connectionsInUse: 2, faults: 2 }))).toMatchObject({ clean: true, duplicatesAllowed: 4 });
  });

  it('refuses a third copy even of a counted uncertain row', () => {
    const received = [...everyoneOnce(), mail(readers[0].email, alertId(readers[0].email)), mail(readers[0].email, alertId(readers[0].email))];
    const rows = sentRows().map((entry) => ({ ...entry, uncertainResends: 1 }));
    const report = checkLedger(input({ received, rows }));
    expect(report.duplicate).toEqual([expect.objectContaining({ why: expect.stringContaining('received 3 times') })]);
  });

  it('flags mail to a forbidden address, to an address the test never made, and an email a reader was not expected to get', () => {
    const received = [
      ...everyoneOnce(),
      mail('Gone@Readers.test', alertId('gone@readers.test')),
      mail('stranger@elsewhere.test', alertId('stranger@elsewhere.test')),
      mail(readers[0].email, `<digest.${readers[0].email}.2026-11-21@${HOST}>`),
      mail(readers[1].email, alertId(readers[1].email, 'a9')),
    ];
    const report = checkLedger(input({ received, forbidden: [{ to: 'gone@readers.test', why: 'unsubscribed' }] }));
    expect(report.unexpected.map((entry) => [entry.to, entry.why])).toEqual([
      ['gone@readers.test', 'sent to an address that must get nothing: unsubscribed'],
      ['stranger@elsewhere.test', 'sent to an address the test never made or expected mail for'],
      ['ana@readers.test', 'a digest email this reader was not expected to get (or one more than expected)'],
      ['bo@readers.test', expect.stringContaining('was not expected to get')],
    ]);
  });

  it('flags an extra recipient on an expected email', () => {
    const stowaway: ReceivedMail = { ...mail(readers[0].email, alertId(readers[0].email)), envelope: { from: '', to: [readers[0].email, 'extra@evil.test'] } };
    const received = [stowaway, ...everyoneOnce().slice(1)];
    expect(checkLedger(input({ received })).unexpected).toEqual([expect.objectContaining({ to: 'extra@evil.test' })]);
  });
});

describe('Ledger and formatLedger', () => {
  it('collects expectations test by test and prints every entry with its reason', () => {
    const ledger = new Ledger().expect(emailsTo(readers.slice(0, 1), 'digest', '2026-11-21')).forbid([readers[2]], 'suppressed');
    const report = checkLedger({ ...ledger.expectation(), received: [mail(readers[2].email, alertId(readers[2].email))], rows: [], connectionsInUse: 8 });
    const text = formatLedger(report);
    expect(text).toContain('ledger NOT clean: 1 expected, 1 received');
    expect(text).toContain('lost: 1\n  - digest ana@readers.test: digest about 2026-11-21 never arrived');
    expect(text).toContain('unexpected: 1\n  - alert cy@readers.test <alert.a1.cy@readers.test@dispatch.test>: sent to an address that must get nothing: suppressed');
  });
});
