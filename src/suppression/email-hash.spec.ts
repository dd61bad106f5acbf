import { addressAsTypedHash, emailHash, mailboxOf, suppressionHashes } from './email-hash';

describe(mailboxOf.name, () => {
  const sut = mailboxOf;

  it.each([
    ['ann@example.com', 'ann@example.com'],
    ['Ann.Erase@Example.COM', 'ann.erase@example.com'],
    ['victim+1@example.com', 'victim@example.com'],
    ['Victim+News+More@example.com', 'victim@example.com'],
    ['+leading@example.com', '+leading@example.com'],
    ['+lead+tail@example.com', '+lead@example.com'],
    ['a+@example.com', 'a@example.com'],
  ])('folds %s to %s', (address, mailbox) => {
    expect(sut(address)).toBe(mailbox);
  });
});

describe(emailHash.name, () => {
  it('is one hash per mailbox, whatever the spelling', () => {
    expect(emailHash('Ann+x@Example.com')).toBe(emailHash('ann@example.com'));
    expect(emailHash('ann@example.com')).not.toBe(emailHash('anne@example.com'));
    expect(emailHash('ann@example.com')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe(suppressionHashes.name, () => {
  it('names the mailbox hash and, for rows from before folding, the hash of the address as typed', () => {
    expect(suppressionHashes('Ann+x@example.com')).toEqual([emailHash('ann@example.com'), addressAsTypedHash('Ann+x@example.com')]);
    expect(suppressionHashes('ann@example.com')).toEqual([emailHash('ann@example.com')]);
  });
});
