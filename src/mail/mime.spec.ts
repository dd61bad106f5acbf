import fc from 'fast-check';
import { AddressObject, simpleParser } from 'mailparser';
import { InvalidMessageError, MailMessage, buildMessage, headerSafe } from './mime';

const UNSUBSCRIBE = '<https://dispatch.example.com/unsubscribe?token=abc.def>';

function aMessage(overrides: Partial<MailMessage> = {}): MailMessage {
  return {
    from: 'Dispatch <news@dispatch.example.com>',
    to: 'reader@example.org',
    subject: '5 new stories on #ainews, #microsoft',
    messageId: '<digest.42.2026-11-24@dispatch.example.com>',
    date: new Date('2026-11-24T07:00:00Z'),
    text: 'Hello reader,\nhere are your stories.\n',
    html: '<!doctype html><p>Hello <b>reader</b></p>',
    headers: { 'List-Unsubscribe': UNSUBSCRIBE, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    ...overrides,
  };
}

const parse = (raw: Buffer) => simpleParser(raw);
const headerNames = (parsed: { headerLines: readonly { key: string }[] }) => parsed.headerLines.map((line) => line.key);
const addresses = (field: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(field) ? field : field ? [field] : []).flatMap((object) => object.value.map((mailbox) => mailbox.address));

describe(buildMessage.name, () => {
  it('writes a multipart/alternative message mailparser reads back exactly', async () => {
    const message = aMessage();

    const parsed = await parse(buildMessage(message));

    expect(parsed.from?.value).toEqual([{ name: 'Dispatch', address: 'news@dispatch.example.com' }]);
    expect(addresses(parsed.to)).toEqual(['reader@example.org']);
    expect(parsed.subject).toBe(message.subject);
    expect(parsed.messageId).toBe(message.messageId);
    expect(parsed.date?.toISOString()).toBe('2026-11-24T07:00:00.000Z');
    expect(parsed.headers.get('list')).toMatchObject({ unsubscribe: { url: 'https://dispatch.example.com/unsubscribe?token=abc.def' } });
    expect(parsed.headerLines.find((line) => line.key === 'list-unsubscribe')?.line).toBe(`List-Unsubscribe: ${UNSUBSCRIBE}`);
    expect(parsed.headerLines.find((line) => line.key === 'list-unsubscribe-post')?.line).toBe(
      'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
    );
    expect(parsed.text).toBe(message.text);
    expect(parsed.html).toBe(message.html);
  });

  it('puts the plain text first and the HTML last, as they are when they are ASCII', () => {
    const raw = buildMessage(aMessage()).toString('latin1');

    expect(raw).toMatch(/^Content-Type: multipart\/alternative;\r\n boundary="[^"]+"\r$/m);
    const plain = raw.indexOf('Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit');
    const html = raw.indexOf('Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 7bit');
    expect(plain).toBeGreaterThan(0);
    expect(html).toBeGreaterThan(plain);
  });

  it('writes non-ASCII HTML as character references, so the HTML stays 7bit and reads the same', async () => {
    const raw = buildMessage(aMessage({ html: '<p title="Brèves">ça 東京 🚀</p>', text: 'ça 東京 🚀' }));

    expect(raw.toString('latin1')).toContain('Content-Transfer-Encoding: 7bit\r\n\r\n<p title="Br&#232;ves">&#231;a &#26481;&#20140; &#128640;</p>');
    const parsed = await parse(raw);
    expect(parsed.text).toBe('ça 東京 🚀');
    expect(parsed.html).toBe('<p title="Br&#232;ves">&#231;a &#26481;&#20140; &#128640;</p>');
  });

  it.each([
    ['non-ASCII', 'Brèves'],
    ['a NUL', 'before\0after'],
  ])('falls back to base64 for plain text with %s and for lines over 998 characters', async (_label, text) => {
    const longLine = `<p>${'word '.repeat(300)}</p>`;
    const raw = buildMessage(aMessage({ text, html: longLine }));

    expect(raw.toString('latin1')).toContain('Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64');
    expect(raw.toString('latin1')).toContain('Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64');
    const parsed = await parse(raw);
    expect(parsed.text).toBe(text);
    expect(parsed.html).toBe(longLine);
  });

  it('sends bare LF and CR line breaks as CRLF, and a dot-led line unchanged (dot-stuffing is SMTP\'s job)', async () => {
    const raw = buildMessage(aMessage({ text: 'one\ntwo\rthree\r\n.four' }));

    expect(raw.toString('latin1')).toContain('\r\n\r\none\r\ntwo\r\nthree\r\n.four\r\n--');
    expect((await parse(raw)).text).toBe('one\ntwo\nthree\n.four');
  });

  it('sends CRLF text as it is, byte for byte', () => {
    const html = '<!doctype html>\r\n<p>one</p>\r\n<p>two</p>\r\n';

    expect(buildMessage(aMessage({ html })).toString('latin1')).toContain(`Content-Transfer-Encoding: 7bit\r\n\r\n${html}\r\n--`);
  });

  it('whatever its line breaks and line lengths, writes ASCII text as CRLF lines of at most 998 characters that read back as written (property)', async () => {
    const piece = fc.oneof(
      fc.constantFrom('\r\n', '\n', '\r', '\r\r\n', '\n\r', '.', 'x'.repeat(997), 'y'.repeat(999)),
      fc.string({ maxLength: 12 }),
    );
    const asLf = (text: string) => text.replace(/\r\n?/g, '\n');
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 25 }), async (pieces) => {
        const text = pieces.join('');
        // mailparser reads an empty part as one line break.
        fc.pre(text !== '');
        const raw = buildMessage(aMessage({ text }));

        const lines = raw.toString('latin1').split('\r\n');
        expect(lines.every((line) => line.length <= 998 && !line.includes('\n') && !line.includes('\r'))).toBe(true);
        expect(asLf((await parse(raw)).text ?? '')).toBe(asLf(text));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps header lines under 78 columns, body lines under 998, and ends lines with CRLF only', () => {
    const raw = buildMessage(
      aMessage({ subject: 'Ünïcödé '.repeat(20), html: '<p>é</p>'.repeat(5_000), text: 'x'.repeat(10_000) }),
    ).toString('latin1');

    const lines = raw.split('\r\n');
    const headerLines = raw.slice(0, raw.indexOf('\r\n\r\n')).split('\r\n');
    expect(lines.every((line) => !line.includes('\n') && !line.includes('\r'))).toBe(true);
    expect(Math.max(...headerLines.map((line) => line.length))).toBeLessThanOrEqual(78);
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(998);
  });

  it('is pure ASCII on the wire', () => {
    const raw = buildMessage(aMessage({ subject: 'Brèves: 東京 🚀', text: 'ça', html: '<p>ça</p>', from: 'Dépêche <news@example.com>' }));

    expect([...raw].every((byte) => byte < 0x80)).toBe(true);
  });

  it.each([
    ['accents', 'Brèves : l’IA française'],
    ['CJK and emoji', '東京で速報 🚀 breaking'],
    ['a long ASCII subject', 'A very long subject line that goes on and on '.repeat(4).trim()],
    ['text that looks like an encoded word', '=?utf-8?B?SGFja2Vk?= not decoded'],
    ['a lone =?', 'Equation =? unknown'],
  ])('round-trips a subject with %s', async (_label, subject) => {
    const parsed = await parse(buildMessage(aMessage({ subject })));

    expect(parsed.subject).toBe(subject);
  });

  it('encodes a non-ASCII display name', async () => {
    const parsed = await parse(buildMessage(aMessage({ from: 'Dépêche, le journal <news@example.com>' })));

    expect(parsed.from?.value).toEqual([{ name: 'Dépêche, le journal', address: 'news@example.com' }]);
  });

  it('accepts a Message-ID without angle brackets', async () => {
    const parsed = await parse(buildMessage(aMessage({ messageId: 'alert.7.42@example.com' })));

    expect(parsed.messageId).toBe('<alert.7.42@example.com>');
  });

  describe('header injection (RELIABILITY S1)', () => {
    const EXPECTED_HEADERS = [
      'from',
      'to',
      'subject',
      'date',
      'message-id',
      'mime-version',
      'list-unsubscribe',
      'list-unsubscribe-post',
      'content-type',
    ];

    it.each([
      'Hello\r\nBcc: victim@example.com',
      'Hello\nBcc: victim@example.com',
      'Hello\rBcc: victim@example.com',
      'Hello\r\n\r\n<html>body injection</html>',
      'Tab\tand\u0000null\u000bvertical\u0085next-line\u2028separator',
    ])('turns control characters in the subject into spaces: %j', async (subject) => {
      const parsed = await parse(buildMessage(aMessage({ subject })));

      expect(headerNames(parsed)).toEqual(EXPECTED_HEADERS);
      expect(parsed.subject).toBe(headerSafe(subject));
      expect(parsed.subject).not.toMatch(/[\r\n]/);
    });

    it('cannot gain a header or a recipient through any subject (property)', async () => {
      const hostile = fc.oneof(
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc
          .array(fc.constantFrom('\r', '\n', 'Bcc: x@evil.com', 'To: y@evil.com', ' ', '=?utf-8?B?QmNjOg==?=', 'é', ':'), { maxLength: 20 })
          .map((parts) => parts.join('')),
      );
      await fc.assert(
        fc.asyncProperty(hostile, async (subject) => {
          const parsed = await parse(buildMessage(aMessage({ subject })));
          expect(headerNames(parsed)).toEqual(EXPECTED_HEADERS);
          expect(addresses(parsed.to)).toEqual(['reader@example.org']);
          expect(parsed.bcc).toBeUndefined();
          expect(parsed.cc).toBeUndefined();
          expect(parsed.subject ?? '').toBe(Buffer.from(headerSafe(subject), 'utf8').toString('utf8'));
        }),
        { numRuns: 60 },
      );
    }, 30_000);

    it('strips CR/LF from extra header values, so they stay one header', async () => {
      const parsed = await parse(
        buildMessage(aMessage({ headers: { 'List-Unsubscribe': `${UNSUBSCRIBE}\r\nBcc: victim@example.com` } })),
      );

      expect(parsed.headers.has('bcc')).toBe(false);
      expect(parsed.headerLines.find((line) => line.key === 'list-unsubscribe')?.line).toBe(
        `List-Unsubscribe: ${UNSUBSCRIBE} Bcc: victim@example.com`,
      );
    });

    it.each([
      'reader@example.org\r\nBcc: victim@example.com',
      'reader@example.org, victim@example.com',
      'reader@example.org;victim@example.com',
      '"a@b x"@example.com',
      'reader@example.org <victim@example.com',
      '<reader@example.org>>',
      'no-at-sign',
      '@example.com',
      'reader@',
      'reader@exa mple.com',
      `${'a'.repeat(1_000)}@example.com`,
    ])('refuses %j as a recipient', (to) => {
      expect(() => buildMessage(aMessage({ to }))).toThrow(InvalidMessageError);
    });

    it('keeps a display name with commas and quotes one mailbox', async () => {
      const parsed = await parse(buildMessage(aMessage({ to: 'Doe, "Jane" <jane@example.org>' })));

      expect(parsed.to).toMatchObject({ value: [{ address: 'jane@example.org' }] });
      expect(addresses(parsed.to)).toEqual(['jane@example.org']);
    });

    it.each(['Bcc', 'To', 'content-type', 'Subject', 'Bad Name', 'Colon:Name', 'X-Ünicode'])('refuses %j as an extra header name', (name) => {
      expect(() => buildMessage(aMessage({ headers: { [name]: 'x' } }))).toThrow(InvalidMessageError);
    });

    it.each(['', 'no-at-sign', '<a b@example.com>', '<a@example.com>\r\nBcc: x@y.z'])('refuses %j as a Message-ID', (messageId) => {
      expect(() => buildMessage(aMessage({ messageId }))).toThrow(InvalidMessageError);
    });
  });
});
