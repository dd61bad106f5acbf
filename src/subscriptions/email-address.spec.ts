import { MAX_EMAIL_LENGTH, normalizeEmailAddress } from './email-address';

describe(normalizeEmailAddress.name, () => {
  const sut = normalizeEmailAddress;
  const accepted = (raw: string) => {
    const result = sut(raw);
    if (!result.ok) throw new Error(`expected ${JSON.stringify(raw)} to be accepted: ${result.reason}`);
    return result.email;
  };

  describe('a usable address', () => {
    it.each([
      ['reader@example.com', 'reader@example.com'],
      ['  reader@example.com\t', 'reader@example.com'],
      ['Reader@Example.COM', 'Reader@example.com'],
      ['first.last+news@sub.example.co.uk', 'first.last+news@sub.example.co.uk'],
      ["o'brien@example.ie", "o'brien@example.ie"],
      ['a_b-c@my-host.example', 'a_b-c@my-host.example'],
      ['reader@xn--mnchen-3ya.de', 'reader@xn--mnchen-3ya.de'],
    ])('normalises %j to %j', (raw, email) => {
      expect(accepted(raw)).toBe(email);
    });

    it('keeps the case of the local part, which a mail server may rely on', () => {
      expect(accepted('Ann.Smith@EXAMPLE.org')).toBe('Ann.Smith@example.org');
    });

    it('turns an internationalised domain into its ASCII form', () => {
      expect(accepted('reader@münchen.de')).toBe('reader@xn--mnchen-3ya.de');
    });

    it(`accepts ${MAX_EMAIL_LENGTH} characters with a 64-character local part`, () => {
      const local = 'l'.repeat(64);
      const domain = `${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(MAX_EMAIL_LENGTH - 197)}.com`;
      const email = `${local}@${domain}`;
      expect(email).toHaveLength(MAX_EMAIL_LENGTH);
      expect(accepted(email)).toBe(email);
    });
  });

  describe('a hostile or broken address (RELIABILITY.md S2)', () => {
    it.each([
      ['a quoted local part with a space', '"a@b x"@host.example'],
      ['a quoted local part', '"reader"@example.com'],
      ['a comma-separated list', 'a@example.com,b@example.com'],
      ['a comma and space list', 'a@example.com, b@example.com'],
      ['a semicolon list', 'a@example.com;b@example.com'],
      ['CR/LF header injection', 'a@example.com\r\nBcc: victim@example.com'],
      ['a bare LF', 'a@exam\nple.com'],
      ['a NUL byte', 'a\u0000@example.com'],
      ['a DEL character', 'a\u007f@example.com'],
      ['a space inside', 'a b@example.com'],
      ['a display name', 'Reader <reader@example.com>'],
      ['angle brackets', '<reader@example.com>'],
      ['a comment', 'reader(comment)@example.com'],
      ['two @', 'a@b@example.com'],
      ['no @', 'reader.example.com'],
      ['nothing before @', '@example.com'],
      ['nothing after @', 'reader@'],
      ['a domain without a dot', 'reader@localhost'],
      ['an IPv4 literal', 'reader@[127.0.0.1]'],
      ['an IPv6 literal', 'reader@[IPv6:::1]'],
      ['a bare IP address', 'reader@127.0.0.1'],
      ['a leading dot', '.reader@example.com'],
      ['a trailing dot in the local part', 'reader.@example.com'],
      ['two dots in a row', 're..ader@example.com'],
      ['an empty domain label', 'reader@example..com'],
      ['a trailing dot in the domain', 'reader@example.com.'],
      ['a label starting with a hyphen', 'reader@-example.com'],
      ['an underscore in the domain', 'reader@ex_ample.com'],
      ['a percent-routed address', 'reader%other@example.com'.replace('%', '@')],
      ['an encoded word', '=?utf-8?q?a?=@example.com'],
      ['a non-ASCII local part', 'rédacteur@example.com'],
      ['a zero-width space', 'reader\u200b@example.com'],
      ['a right-to-left override', 'reader\u202e@example.com'],
      ['a 65-character local part', `${'l'.repeat(65)}@example.com`],
      ['a 64-character domain label', `reader@${'d'.repeat(64)}.com`],
      ['1,000 characters', `${'a'.repeat(990)}@example.com`],
      ['an empty string', ''],
      ['only spaces', '   '],
    ])('refuses %s', (_, raw) => {
      const result = sut(raw);
      expect(result.ok).toBe(false);
    });

    it(`refuses ${MAX_EMAIL_LENGTH + 1} characters`, () => {
      const email = `${'l'.repeat(64)}@${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(MAX_EMAIL_LENGTH - 197 + 1)}.com`;
      expect(sut(email)).toEqual({ ok: false, reason: `must be at most ${MAX_EMAIL_LENGTH} characters` });
    });

    it('refuses something that is not a string', () => {
      for (const raw of [undefined, null, 42, ['a@example.com'], { email: 'a@example.com' }]) {
        expect(sut(raw)).toEqual({ ok: false, reason: 'must be a string' });
      }
    });

    it('gives a reason fit for a 400 body, never echoing the input', () => {
      const result = sut('victim@example.com,\r\nattacker@evil.test');
      expect(result).toEqual({ ok: false, reason: expect.any(String) });
      if (!result.ok) expect(result.reason).not.toMatch(/victim|attacker|[\r\n]/);
    });

    it('never returns an address with a character that could break a header', () => {
      const hostile = ['\r', '\n', ',', ';', '<', '>', '"', ' ', '\t', '\u0000', '(', ')', '[', ']', '\\', ':'];
      for (const char of hostile) {
        for (const raw of [`a${char}b@example.com`, `ab@exa${char}mple.com`]) {
          const result = sut(raw);
          if (result.ok) expect(result.email).not.toContain(char);
        }
      }
    });
  });
});
