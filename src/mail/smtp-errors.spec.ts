import { classifyAfterFinalDot, classifySmtpError, redactAddresses } from './smtp-errors';

/** Shaped like the errors nodemailer hands to sendMail callers. */
function smtpError(code: string, responseCode?: number, response?: string): Error {
  return Object.assign(new Error(response ?? code), { code, responseCode, response, command: 'RCPT TO' });
}

describe(classifySmtpError.name, () => {
  it.each([
    // [label, error, status, hardBounce]
    ['451 greylisting', smtpError('EENVELOPE', 451, '451 4.7.1 Greylisted, try again later'), 'transient', undefined],
    ['421 service closing', smtpError('EPROTOCOL', 421, '421 4.3.2 Service shutting down'), 'transient', undefined],
    ['452 mailbox full for now', smtpError('EENVELOPE', 452, '452 4.2.2 Mailbox full'), 'transient', undefined],
    ['450 user unknown (temporary)', smtpError('EENVELOPE', 450, '450 4.1.1 <bob@example.com>: User unknown'), 'transient', undefined],
    ['503 bad sequence', smtpError('EPROTOCOL', 503, '503 5.5.1 Bad sequence of commands'), 'transient', undefined],
    ['ECONNECTION', smtpError('ECONNECTION'), 'transient', undefined],
    ['ETIMEDOUT', smtpError('ETIMEDOUT'), 'transient', undefined],
    ['ESOCKET', smtpError('ESOCKET'), 'transient', undefined],
    ['ECONNRESET', smtpError('ECONNRESET'), 'transient', undefined],
    ['ECONNREFUSED', smtpError('ECONNREFUSED'), 'transient', undefined],
    ['EDNS', smtpError('EDNS'), 'transient', undefined],
    ['ETLS', smtpError('ETLS'), 'transient', undefined],
    ['EAUTH 535 (our credentials)', smtpError('EAUTH', 535, '535 5.7.8 Authentication credentials invalid'), 'transient', undefined],
    ['a bare Error', new Error('boom'), 'transient', undefined],
    ['a thrown string', 'boom', 'transient', undefined],
    ['550 5.1.1 user unknown', smtpError('EENVELOPE', 550, '550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown'), 'permanent', true],
    ['550 5.1.2 bad domain', smtpError('EENVELOPE', 550, '550 5.1.2 Host unknown'), 'permanent', true],
    ['553 5.1.3 bad syntax', smtpError('EENVELOPE', 553, '553 5.1.3 Bad recipient address syntax'), 'permanent', true],
    ['550 5.1.10 null MX', smtpError('EENVELOPE', 550, '550 5.1.10 Recipient domain does not accept mail'), 'permanent', true],
    ['550 5.1.6 mailbox moved', smtpError('EENVELOPE', 550, '550 5.1.6 Mailbox has moved'), 'permanent', true],
    ['multi-line 550 5.1.1', smtpError('EENVELOPE', 550, '550-5.1.1 The email account does not exist.\n550 5.1.1 Try again'), 'permanent', true],
    ['550 without enhanced code, "user unknown"', smtpError('EENVELOPE', 550, '550 User unknown'), 'permanent', true],
    ['550 without enhanced code, "no such user"', smtpError('EENVELOPE', 550, '550 No such user here'), 'permanent', true],
    ['551 user not local', smtpError('EENVELOPE', 551, '551 User not local; please try <x@y.z>'), 'permanent', true],
    ['553 mailbox does not exist', smtpError('EENVELOPE', 553, '553 Mailbox does not exist'), 'permanent', true],
    ['550 5.0.0 with user-unknown text', smtpError('EENVELOPE', 550, '550 5.0.0 Unknown user'), 'permanent', true],
    ['550 5.7.1 spam policy', smtpError('EMESSAGE', 550, '550 5.7.1 Message rejected as spam'), 'permanent', false],
    ['550 5.7.1 mentioning an unknown user', smtpError('EENVELOPE', 550, '550 5.7.1 Recipient unknown to policy service'), 'permanent', false],
    ['550 5.1.7 bad sender address', smtpError('EENVELOPE', 550, "550 5.1.7 Sender's address rejected"), 'permanent', false],
    ['550 without user-unknown text', smtpError('EENVELOPE', 550, '550 Requested action not taken: mailbox unavailable'), 'permanent', false],
    ['552 5.2.2 mailbox full', smtpError('EENVELOPE', 552, '552 5.2.2 Mailbox full'), 'permanent', false],
    ['552 message too large', smtpError('EMESSAGE', 552, '552 5.3.4 Message size exceeds fixed limit'), 'permanent', false],
    ['554 transaction failed', smtpError('EMESSAGE', 554, '554 5.7.0 Transaction failed'), 'permanent', false],
    ['554 user unknown text (not 550/551/553)', smtpError('EMESSAGE', 554, '554 User unknown'), 'permanent', false],
    ['EENVELOPE without a reply (no recipients)', smtpError('EENVELOPE', undefined, 'No recipients defined'), 'permanent', false],
  ])('%s → %s', (_label, error, status, hardBounce) => {
    const outcome = classifySmtpError(error);

    expect(outcome.status).toBe(status);
    if (outcome.status === 'permanent') expect(outcome.hardBounce).toBe(hardBounce);
  });

  it('describes the failure with code and reply, without the address', () => {
    const outcome = classifySmtpError(smtpError('EENVELOPE', 550, '550 5.1.1 <bob.smith+news@example.com>: Recipient address rejected: User unknown'));

    expect(outcome.error).toBe('EENVELOPE 550: 550 5.1.1 <[address]>: Recipient address rejected: User unknown');
  });

  it('keeps descriptions short', () => {
    expect(classifySmtpError(smtpError('EMESSAGE', 554, `554 ${'x'.repeat(2_000)}`)).error.length).toBeLessThanOrEqual(300);
  });
});

describe(redactAddresses.name, () => {
  it.each([
    ['<bob@example.com>: unknown', '<[address]>: unknown'],
    ['to bob@example.com, alice@example.org', 'to [address], [address]'],
    ['"weird name"@example.com rejected', '[address] rejected'],
    ['no address here', 'no address here'],
  ])('%j → %j', (input, expected) => {
    expect(redactAddresses(input)).toBe(expected);
  });
});

describe(classifyAfterFinalDot.name, () => {
  const smtpError = (fields: Record<string, unknown>) => Object.assign(new Error('failed'), fields);

  it('still decides by the reply when one came', () => {
    expect(classifyAfterFinalDot(smtpError({ code: 'EMESSAGE', responseCode: 451, response: '451 4.3.0 try later' })).status).toBe('transient');
    expect(classifyAfterFinalDot(smtpError({ code: 'EMESSAGE', responseCode: 554, response: '554 5.6.0 rejected' })).status).toBe('permanent');
  });

  it('calls a connection closed or a reply timed out after the dot unknown: the server may have queued it', () => {
    expect(classifyAfterFinalDot(smtpError({ code: 'ECONNECTION', message: 'Connection closed unexpectedly' })).status).toBe('unknown');
    expect(classifyAfterFinalDot(smtpError({ code: 'ETIMEDOUT', message: 'Timeout' })).status).toBe('unknown');
  });

  it('calls a reset transient: the server discarded data it had not read, our dot among it', () => {
    expect(classifyAfterFinalDot(smtpError({ code: 'ESOCKET', originalCode: 'ECONNRESET' })).status).toBe('transient');
    expect(classifyAfterFinalDot(smtpError({ code: 'ESOCKET', originalCode: 'EPIPE' })).status).toBe('transient');
  });
});
