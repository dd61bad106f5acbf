import { reportFieldGroups, statusCode, typedAddress } from './report-fields';

describe(reportFieldGroups.name, () => {
  it('reads the per-message group and one group per recipient, unfolding continuation lines', () => {
    const groups = reportFieldGroups(
      'Reporting-MTA: dns; mx.example.org\r\nArrival-Date: Sat, 5 Dec 2026\r\n\r\n' +
        'Final-Recipient: rfc822; a@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 no\r\n such user\r\n\r\n' +
        'Final-Recipient: rfc822;b@example.org\nAction: delayed\nStatus: 4.2.2\n',
    );
    expect(groups).toHaveLength(3);
    expect(groups[1].get('diagnostic-code')).toBe('smtp; 550 no such user');
    expect(typedAddress(groups[2].get('final-recipient'))).toBe('b@example.org');
    expect(statusCode(groups[1].get('status'))).toBe('5.1.1');
  });

  it('ignores lines that are not fields and keeps the first of a repeated field', () => {
    const [group] = reportFieldGroups('garbage line\nStatus: 5.0.0\nStatus: 2.0.0\n');
    expect(group.get('status')).toBe('5.0.0');
  });
});
