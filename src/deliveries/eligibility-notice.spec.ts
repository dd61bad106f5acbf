import { noticeConcerns, parseEligibilityNotice } from './eligibility-notice';

describe(parseEligibilityNotice.name, () => {
  it('reads a subscriber notice and a suppression notice', () => {
    expect(parseEligibilityNotice('s:6f1c2a4e-0000-4000-8000-000000000001')).toEqual({ subscriberId: '6f1c2a4e-0000-4000-8000-000000000001' });
    expect(parseEligibilityNotice('h:ab12')).toEqual({ emailHash: 'ab12' });
  });

  it.each([undefined, '', 's:', 'h:', 'x:1', 'subscriber'])('does not understand %p', (payload) => {
    expect(parseEligibilityNotice(payload)).toBeNull();
  });
});

describe(noticeConcerns.name, () => {
  it('matches a subscriber notice by id, without hashing the address', () => {
    const hash = jest.fn(() => 'h');
    expect(noticeConcerns({ subscriberId: 'a' }, 'a', hash)).toBe(true);
    expect(noticeConcerns({ subscriberId: 'a' }, 'b', hash)).toBe(false);
    expect(noticeConcerns({ subscriberId: 'a' }, null, hash)).toBe(false);
    expect(hash).not.toHaveBeenCalled();
  });

  it('matches a suppression notice by the address hash', () => {
    expect(noticeConcerns({ emailHash: 'h1' }, 'a', () => 'h1')).toBe(true);
    expect(noticeConcerns({ emailHash: 'h1' }, 'a', () => 'h2')).toBe(false);
    expect(noticeConcerns({ emailHash: 'h1' }, 'a', () => null)).toBe(false);
  });
});
