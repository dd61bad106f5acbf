import { feedbackFromReport, InboundContext } from './inbound-feedback';

const OURS = 'bounces+ab-cdefghijklmnopqrs@bounces.example.com';
const context = (recipients: string[], quoted?: string): InboundContext => ({
  envelopeRecipients: recipients,
  digest: 'd1',
  isBounceMailbox: (address) => address.toLowerCase().startsWith('bounces+') && address.toLowerCase().endsWith('@bounces.example.com'),
  quotedBounceAddress: () => quoted,
});

describe(feedbackFromReport.name, () => {
  it('lets the status class decide, whatever the Action says', () => {
    const events = feedbackFromReport(
      {
        kind: 'delivery-status',
        recipients: [
          { recipient: 'a@x.test', status: '5.1.1', action: 'delayed' },
          { recipient: 'b@x.test', status: '4.2.2', action: 'failed' },
          { recipient: 'c@x.test', status: '2.0.0', action: 'delivered' },
        ],
      },
      context([OURS]),
    );
    expect(events.map((event) => [event.type, event.recipient, event.key])).toEqual([
      ['hard', 'a@x.test', 'smtp:d1:0:0'],
      ['soft', 'b@x.test', 'smtp:d1:0:1'],
      ['delivered', 'c@x.test', 'smtp:d1:0:2'],
    ]);
    expect(events.every((event) => 'reference' in event.target && event.target.reference === OURS)).toBe(true);
  });

  it('takes the reference from the envelope, else from what a report to postmaster@ quotes, never from anything else', () => {
    const report = { kind: 'plain-bounce', status: '5.1.1' } as const;
    expect(feedbackFromReport(report, context(['postmaster@bounces.example.com'], OURS))[0].target).toEqual({ reference: OURS });
    expect(feedbackFromReport(report, context(['postmaster@bounces.example.com']))).toEqual([]);
  });

  it('turns an ARF report into a complaint, and a not-spam report into nothing', () => {
    const complaint = feedbackFromReport({ kind: 'complaint', feedbackType: 'abuse', recipient: 'r@x.test', originalMailFrom: OURS }, context(['fbl@isp.test']));
    expect(complaint).toEqual([{ source: 'smtp', type: 'complaint', key: 'smtp:d1:0:0', target: { reference: OURS }, recipient: 'r@x.test', complaintKind: 'abuse' }]);
    expect(feedbackFromReport({ kind: 'complaint', feedbackType: 'not-spam', originalMailFrom: OURS }, context([OURS]))).toEqual([]);
  });

  it('has nothing to say about an unparseable message', () => {
    expect(feedbackFromReport({ kind: 'unparseable', reason: 'x' }, context([OURS]))).toEqual([]);
  });
});
