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
});
