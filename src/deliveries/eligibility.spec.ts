import { ineligibilityReason } from './eligibility';

type Row = Parameters<typeof ineligibilityReason>[0];

const aRow = (overrides: Partial<Row> = {}): Row => ({
  kind: 'digest',
  email: 'reader@example.com',
  subscriberStatus: 'confirmed' as const,
  suppressed: false,
  pushEndpoint: null,
  ...overrides,
});

describe(ineligibilityReason.name, () => {
  it('lets a confirmed, unsuppressed reader receive digests and alerts', () => {
    expect(ineligibilityReason(aRow())).toBeNull();
    expect(ineligibilityReason(aRow({ kind: 'alert' }))).toBeNull();
  });

  it('never mails an unconfirmed or unsubscribed reader anything but the confirmation', () => {
    expect(ineligibilityReason(aRow({ subscriberStatus: 'pending' }))).toBe('subscriber is pending');
    expect(ineligibilityReason(aRow({ subscriberStatus: 'unsubscribed', kind: 'alert' }))).toBe('subscriber is unsubscribed');
    expect(ineligibilityReason(aRow({ subscriberStatus: 'pending', kind: 'confirm' }))).toBeNull();
  });

  it('does not send a confirmation to an address that is already confirmed', () => {
    expect(ineligibilityReason(aRow({ kind: 'confirm' }))).toBe('subscriber is confirmed');
  });

  it('sends a push while its subscription exists, whoever the reader is', () => {
    const push = { kind: 'push' as const, email: null, subscriberStatus: null };
    expect(ineligibilityReason(aRow({ ...push, pushEndpoint: 'https://fcm.googleapis.com/fcm/send/x' }))).toBeNull();
    expect(ineligibilityReason(aRow(push))).toBe('push subscription removed');
  });

  it('skips suppressed and erased addresses whatever the kind', () => {
    expect(ineligibilityReason(aRow({ suppressed: true }))).toBe('address suppressed');
    expect(ineligibilityReason(aRow({ email: null, subscriberStatus: null }))).toBe('subscriber erased');
  });

  it('sends nothing more of a cancelled alert, by email or push', () => {
    expect(ineligibilityReason(aRow({ kind: 'alert', alertStatus: 'cancelled' }))).toBe('alert cancelled');
    expect(ineligibilityReason(aRow({ kind: 'push', pushEndpoint: 'https://push.example/1', alertStatus: 'cancelled' }))).toBe('alert cancelled');
    expect(ineligibilityReason(aRow({ kind: 'alert', alertStatus: 'sending' }))).toBeNull();
  });

  it('sends a test alert to a staff address whatever its subscription, but never to a suppressed one', () => {
    expect(ineligibilityReason(aRow({ kind: 'alert', alertTest: true, subscriberStatus: 'pending' }))).toBeNull();
    expect(ineligibilityReason(aRow({ kind: 'alert', alertTest: true, subscriberStatus: 'unsubscribed' }))).toBeNull();
    expect(ineligibilityReason(aRow({ kind: 'alert', alertTest: true, suppressed: true }))).toBe('address suppressed');
    expect(ineligibilityReason(aRow({ kind: 'alert', alertTest: false, subscriberStatus: 'pending' }))).toBe('subscriber is pending');
  });
});
