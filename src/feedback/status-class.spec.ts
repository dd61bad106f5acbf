import { findEnhancedStatus, statusClass } from './status-class';

describe(statusClass.name, () => {
  it.each([
    ['5.1.1', 'hard'],
    ['5.7.515', 'hard'],
    ['4.2.2', 'soft'],
    [' 4.4.7 ', 'soft'],
    ['2.0.0', 'delivered'],
    ['3.1.1', null],
    ['5.1', null],
    ['550', null],
    [undefined, null],
  ])('%s is %s', (status, expected) => {
    expect(statusClass(status)).toBe(expected);
  });
});

describe(findEnhancedStatus.name, () => {
  it('finds the code in a bounce text and ignores version numbers and dates', () => {
    expect(findEnhancedStatus('<reader@example.org>: host mx said: 550 5.1.1 <reader@example.org>: Recipient address rejected')).toBe('5.1.1');
    expect(findEnhancedStatus('Remote said (4.2.2 mailbox full)')).toBe('4.2.2');
    expect(findEnhancedStatus('Postfix 3.7.10 on 2026.12.05 delivered')).toBeUndefined();
  });
});
