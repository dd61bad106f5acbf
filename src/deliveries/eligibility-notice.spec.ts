import { noticeConcerns, parseEligibilityNotice } from './eligibility-notice';

describe(parseEligibilityNotice.name, () => {
  it('reads a subscriber notice, a suppression notice and a removed push subscription', () => {
    expect(parseEligibilityNotice('s:6f1c2a4e-0000-4000-8000-000000000001')).toEqual({ subscriberId: '6f1c2a4e-0000-4000-8000-000000000001' });
    expect(parseEligibilityNotice('h:ab12')).toEqual({ emailHash: 'ab12' });
    expect(parseEligibilityNotice('p:7b0c8f8e-3f0a-4c55-9a57-2f1c4c3b8a10')).toEqual({ pushSubscriptionId: '7b0c8f8e-3f0a-4c55-9a57-2f1c4c3b8a10' });
    expect(parseEligibilityNotice('a:0b7c8f4e-6a1d-4c55-9a43-2f7e1c9d0a11')).toEqual({ alertId: '0b7c8f4e-6a1d-4c55-9a43-2f7e1c9d0a11' });
  });

  it.each([undefined, '', 's:', 'h:', 'p:', 'a:', 'x:1', 'subscriber'])('does not understand %p', (payload) => {
    expect(parseEligibilityNotice(payload)).toBeNull();
  });
});

describe(noticeConcerns.name, () => {
  it('matches a cancelled alert’s notice by the row’s alert', () => {
    expect(noticeConcerns({ alertId: 'x' }, { subscriberId: 'a', pushSubscriptionId: null, alertId: 'x' }, () => 'h')).toBe(true);
    expect(noticeConcerns({ alertId: 'x' }, { subscriberId: 'a', pushSubscriptionId: null, alertId: 'y' }, () => 'h')).toBe(false);
    expect(noticeConcerns({ alertId: 'x' }, { subscriberId: 'a', pushSubscriptionId: null, alertId: null }, () => 'h')).toBe(false);
  });

  const reader = (subscriberId: string | null) => ({ subscriberId, pushSubscriptionId: null });

  it('matches a subscriber notice by id, without hashing the address', () => {
    const hash = jest.fn(() => 'h');
    expect(noticeConcerns({ subscriberId: 'a' }, reader('a'), hash)).toBe(true);
    expect(noticeConcerns({ subscriberId: 'a' }, reader('b'), hash)).toBe(false);
    expect(noticeConcerns({ subscriberId: 'a' }, reader(null), hash)).toBe(false);
    expect(hash).not.toHaveBeenCalled();
  });

  it('matches a suppression notice by the address hash', () => {
    expect(noticeConcerns({ emailHash: 'h1' }, reader('a'), () => 'h1')).toBe(true);
    expect(noticeConcerns({ emailHash: 'h1' }, reader('a'), () => 'h2')).toBe(false);
    expect(noticeConcerns({ emailHash: 'h1' }, reader('a'), () => null)).toBe(false);
  });

  it('matches a removed push subscription by its id, never a reader by it', () => {
    const hash = jest.fn(() => null);
    expect(noticeConcerns({ pushSubscriptionId: 'p1' }, { subscriberId: null, pushSubscriptionId: 'p1' }, hash)).toBe(true);
    expect(noticeConcerns({ pushSubscriptionId: 'p1' }, { subscriberId: null, pushSubscriptionId: 'p2' }, hash)).toBe(false);
    expect(noticeConcerns({ pushSubscriptionId: 'p1' }, reader('p1'), hash)).toBe(false);
    expect(hash).not.toHaveBeenCalled();
  });
});
