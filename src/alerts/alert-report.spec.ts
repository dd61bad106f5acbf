import type { KindCounts } from '../deliveries/delivery-counts.repository';
import { alertReport, audienceWritten } from './alert-report';

const none: KindCounts = { rows: 0, sent: 0, failed: 0, held: 0, expired: 0, bounced: 0, complained: 0 };
const anAlert = (overrides: Partial<Parameters<typeof alertReport>[0]> = {}): Parameters<typeof alertReport>[0] => ({
  id: 'a1',
  status: 'sending',
  channels: ['email', 'push'],
  priority: 'major',
  test: false,
  sendAt: null,
  cancelReason: null,
  cancelledAt: null,
  fannedOutAt: new Date('2026-11-23T09:00:00Z'),
  ...overrides,
});

describe(alertReport.name, () => {
  it('totals both channels at the top, with bounces and complaints from email only', () => {
    const email = { ...none, rows: 10, sent: 6, failed: 1, held: 2, bounced: 1, complained: 1 };
    const push = { ...none, rows: 5, sent: 3, failed: 2, expired: 1 };

    expect(alertReport(anAlert(), { email, push }, null)).toEqual({
      alertId: 'a1',
      status: 'sending',
      recipients: 15,
      sent: 9,
      failed: 3,
      held: 2,
      bounced: 1,
      complained: 1,
      channels: {
        email: { recipients: 10, sent: 6, failed: 1, held: 2, bounced: 1, complained: 1 },
        push: { recipients: 5, sent: 3, failed: 2, held: 0, expired: 1 },
      },
      requestedChannels: ['email', 'push'],
      priority: 'major',
      test: false,
      sendAt: null,
    });
  });

  it('shows the counted audience of an alert not written whole yet, and its time', () => {
    const scheduled = anAlert({ status: 'scheduled', fannedOutAt: null, sendAt: new Date('2026-11-24T07:00:00Z'), channels: ['push'], priority: 'minor' });

    expect(alertReport(scheduled, { email: none, push: none }, { email: 0, push: 40 })).toMatchObject({
      status: 'scheduled',
      recipients: 40,
      channels: { push: { recipients: 40 } },
      requestedChannels: ['push'],
      priority: 'minor',
      sendAt: '2026-11-24T07:00:00.000Z',
    });
  });

  it('says why and when a cancelled alert was cancelled', () => {
    const cancelled = anAlert({ status: 'cancelled', cancelReason: 'missed', cancelledAt: new Date('2026-11-24T08:05:00Z') });

    expect(alertReport(cancelled, { email: none, push: none }, null)).toMatchObject({ status: 'cancelled', cancelReason: 'missed', cancelledAt: '2026-11-24T08:05:00.000Z' });
    expect(alertReport(anAlert(), { email: none, push: none }, null)).not.toHaveProperty('cancelReason');
  });
});

describe(audienceWritten.name, () => {
  it('is true once fanned out or cancelled, false while scheduled or being fanned out', () => {
    expect(audienceWritten({ fannedOutAt: new Date(), status: 'sending' })).toBe(true);
    expect(audienceWritten({ fannedOutAt: null, status: 'cancelled' })).toBe(true);
    expect(audienceWritten({ fannedOutAt: null, status: 'scheduled' })).toBe(false);
    expect(audienceWritten({ fannedOutAt: null, status: 'queued' })).toBe(false);
  });
});
