import { BounceReferences, base32, unbase32 } from './bounce-reference';

describe(BounceReferences.name, () => {
  const sut = new BounceReferences('a-test-secret-of-some-length', 'bounces.example.com');

  it('names the delivery in the envelope sender, bounces+<reference>@BOUNCE_DOMAIN', () => {
    const address = sut.addressFor(123456789n);
    expect(address).toMatch(/^bounces\+[a-z2-7]+-[a-z2-7]{16}@bounces\.example\.com$/);
    expect(sut.deliveryOf(address)).toBe(123456789n);
  });

  it('survives a change of letter case anywhere in the address', () => {
    const address = sut.addressFor(42n);
    expect(sut.deliveryOf(address.toUpperCase())).toBe(42n);
    expect(sut.deliveryOf(address.replace(/[a-m]/g, (c) => c.toUpperCase()))).toBe(42n);
  });

  it('refuses a tampered reference: another id, another MAC, another secret', () => {
    const address = sut.addressFor(42n);
    const [, id, mac] = /^bounces\+([^-]+)-([^@]+)@/.exec(address) as RegExpExecArray;
    const otherId = sut.addressFor(43n).split('-')[0].slice('bounces+'.length);
    expect(sut.deliveryOf(`bounces+${otherId}-${mac}@bounces.example.com`)).toBeNull();
    expect(sut.deliveryOf(`bounces+${id}-${mac.slice(0, -1)}${mac.endsWith('a') ? 'b' : 'a'}@bounces.example.com`)).toBeNull();
    expect(new BounceReferences('another-secret-entirely', 'bounces.example.com').deliveryOf(address)).toBeNull();
  });

  it('refuses what is not a reference at all', () => {
    for (const address of ['postmaster@bounces.example.com', 'bounces@x', 'bounces+@x', 'bounces+zz-zz@x', 'bounces+a!-aaaaaaaaaaaaaaaa@x', '']) {
      expect(sut.deliveryOf(address)).toBeNull();
    }
  });

  it('tells the listener which mailboxes are its own', () => {
    expect(sut.isBounceMailbox('BOUNCES+abc@Bounces.Example.com')).toBe(true);
    expect(sut.isBounceMailbox('bounces+abc@example.com')).toBe(false);
    expect(sut.isBounceMailbox('reader@bounces.example.com')).toBe(false);
  });

  it('encodes base32 canonically, one spelling per value', () => {
    expect(base32(Buffer.from('foobar'))).toBe('mzxw6ytboi');
    expect(unbase32('mzxw6ytboi')?.toString()).toBe('foobar');
    expect(unbase32('mzxw6ytboj')).toBeNull();
  });
});
