import { buildMessage } from './mime';
import { DkimSigner, SIGNED_HEADERS } from './dkim-signer';
import { aDkimKey, verifyDkim } from './testing/dkim-keys';

const message = () =>
  buildMessage({
    from: 'Dispatch <news@example.com>',
    to: 'reader@example.org',
    subject: 'Breaking: something happened',
    messageId: '<alert.1.2@example.com>',
    date: new Date('2026-11-24T07:00:00Z'),
    html: '<p>Hello</p>',
    text: 'Hello',
    headers: {
      'List-Unsubscribe': '<https://dispatch.example.com/unsubscribe?token=t>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'List-Id': '"Dispatch breaking news" <alerts.example.com>',
      'Feedback-ID': 'a1:alert:dispatch:example.com',
    },
  });

describe(DkimSigner.name, () => {
  it.each(['rsa', 'ed25519'] as const)('signs with a %s key so an independent verifier passes it', async (kind) => {
    const key = aDkimKey(kind);
    const sut = new DkimSigner({ domain: 'example.com', selector: 'sel', privateKey: key.privateKeyPem, algorithm: kind === 'rsa' ? 'rsa-sha256' : 'ed25519-sha256' });
    const [check] = await verifyDkim(await sut.sign(message()), 'sel', 'example.com', key);
    expect(check).toMatchObject({ status: 'pass', signingDomain: 'example.com', algorithm: `${kind}-sha256` });
    for (const name of ['from', 'to', 'subject', 'date', 'message-id', 'mime-version', 'content-type', 'list-id', 'list-unsubscribe', 'list-unsubscribe-post', 'feedback-id']) {
      expect(check.signedHeaders).toContain(name);
    }
  });

  it.each([
    ['Subject: Breaking: something happened', 'Subject: Breaking: something else'],
    ['List-Unsubscribe-Post: List-Unsubscribe=One-Click', 'List-Unsubscribe-Post: nothing'],
    ['Feedback-ID: a1:alert', 'Feedback-ID: a2:alert'],
    ['<p>Hello</p>', '<p>Hellp</p>'],
  ])('fails verification once %s is changed in transit', async (original, changed) => {
    const key = aDkimKey('ed25519');
    const sut = new DkimSigner({ domain: 'example.com', selector: 'sel', privateKey: key.privateKeyPem, algorithm: 'ed25519-sha256' });
    const signed = (await sut.sign(message())).toString('latin1');
    expect(signed).toContain(original);
    const [check] = await verifyDkim(signed.replace(original, changed), 'sel', 'example.com', key);
    // mailauth reports a changed header as "fail" and a changed body (body hash mismatch) as "neutral".
    expect(check.status).not.toBe('pass');
    expect(['fail', 'neutral']).toContain(check.status);
  });

  it('lists the header names as one colon-separated string', () => {
    expect(typeof SIGNED_HEADERS).toBe('string');
    expect(SIGNED_HEADERS.split(':')).toContain('List-Unsubscribe-Post');
  });
});
