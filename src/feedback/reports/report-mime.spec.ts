import { readInboundReport, readWithMailparser } from './inbound-report';
import { reportParts } from './report-mime';

const crlf = (text: string) => Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'utf8');

const STATUS = `Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; reader@example.org
Original-Recipient: rfc822;Reader@Example.org
Action: failed
Status: 5.1.1 (user unknown)
Diagnostic-Code: smtp; 550 5.1.1 <reader@example.org>:
 Recipient address rejected

Final-Recipient: rfc822; other@example.org
Action: delayed
Status: 4.2.2
`;

function dsn(options: { boundary?: string; contentType?: string; statusHeaders?: string; statusBody?: string; closing?: boolean; firstPart?: string } = {}): string {
  const boundary = options.boundary ?? 'dsn-boundary';
  return `From: MAILER-DAEMON@mx.example.org
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: ${options.contentType ?? `multipart/report; report-type=delivery-status;\n\tboundary="${boundary}"`}

This is a MIME-encapsulated message.

--${boundary}
${options.firstPart ?? 'Content-Type: text/plain; charset=us-ascii\n\nYour message could not be delivered.\n'}
--${boundary}   
${options.statusHeaders ?? 'Content-Type: message/delivery-status'}

${options.statusBody ?? STATUS}
--${boundary}
Content-Type: text/rfc822-headers

Return-Path: <bounces+ab-cdefghijklmnopqrs@bounces.example.com>
Subject: Breaking news

${options.closing === false ? '' : `--${boundary}--\nepilogue\n`}`;
}

const ARF = `From: <fbl@isp.example>
Subject: FW: complaint
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary=arf

--arf
Content-Type: text/plain; charset="US-ASCII"
Content-Transfer-Encoding: 7bit

This is an email abuse report.

--arf
Content-Type: message/feedback-report

Feedback-Type: Abuse
User-Agent: FBL/1.0
Version: 1
Original-Mail-From: <bounces+ab-cdefghijklmnopqrs@bounces.example.com>
Original-Rcpt-To: <reader@example.org>

--arf
Content-Type: message/rfc822
Content-Disposition: inline

From: Dispatch <news@example.com>
Subject: Breaking news

The email complained about.
--arf--
`;

/** Reports the quick reader takes: each must read exactly as mailparser reads it. */
const TAKEN: Record<string, Buffer> = {
  'a Postfix-style DSN (CRLF, folded Content-Type, padding after a delimiter)': crlf(dsn()),
  'the same with bare LF line ends': Buffer.from(dsn()),
  'an unquoted boundary and a global delivery status': crlf(dsn({ contentType: 'multipart/report; boundary=simple; report-type=delivery-status', boundary: 'simple', statusHeaders: 'Content-Type: message/global-delivery-status' })),
  'a base64 delivery-status part': crlf(dsn({ statusHeaders: 'Content-Type: message/delivery-status\nContent-Transfer-Encoding: base64', statusBody: Buffer.from(STATUS).toString('base64').replace(/.{76}/g, '$&\n') })),
  'UTF-8 in the status part': crlf(dsn({ statusBody: STATUS.replace('other@example.org', 'ötto@exämple.org') })),
  'a part without headers before the report': crlf(dsn({ firstPart: '\nNo headers here.\n' })),
  'a status part without recipients': crlf(dsn({ statusBody: 'Reporting-MTA: dns; mx.example.org\n' })),
  'an ARF complaint': crlf(ARF),
  'an ARF not-spam report': crlf(ARF.replace('Feedback-Type: Abuse', 'Feedback-Type: not-spam')),
  'an ARF report without Feedback-Type': crlf(ARF.replace('Feedback-Type: Abuse\n', '')),
};

/** Everything else goes to mailparser untouched. */
const LEFT: Record<string, Buffer> = {
  'no closing delimiter': crlf(dsn({ closing: false })),
  'a quoted-printable status part': crlf(dsn({ statusHeaders: 'Content-Type: message/delivery-status\nContent-Transfer-Encoding: quoted-printable' })),
  'a multipart part inside': crlf(dsn({ firstPart: 'Content-Type: multipart/alternative; boundary=inner\n\n--inner\nContent-Type: text/plain\n\nhi\n--inner--\n' })),
  'not a report': crlf('From: a@example.org\nSubject: failure notice\n\n550 5.1.1 mailbox unavailable\n'),
  'a boundary in RFC 2231 form': crlf(dsn({ contentType: "multipart/report; boundary*0=dsn-; boundary*1=boundary", boundary: 'dsn-boundary' })),
  'Content-Type given twice': crlf(dsn({ contentType: 'multipart/report; boundary="dsn-boundary"\nContent-Type: text/plain' })),
  'a base64-encoded whole message': crlf('Content-Type: multipart/report; boundary=x\nContent-Transfer-Encoding: base64\n\nLS14DQo=\n'),
  'garbage': Buffer.from([0, 1, 2, 255, 254, 13, 10, 46, 46, 13, 10, 0x80, 0x81]),
  'a header block with a line that is not a field': crlf(`From nobody Sat Dec  5 06:00:00 2026\n${dsn()}`),
};

describe(reportParts.name, () => {
  it.each(Object.entries(TAKEN))('takes %s and reads it as mailparser does', async (_name, raw) => {
    expect(reportParts(raw)).not.toBeNull();
    expect(await readInboundReport(raw)).toEqual(await readWithMailparser(raw));
  });

  it.each(Object.entries(LEFT))('leaves %s to mailparser', async (_name, raw) => {
    expect(reportParts(raw)).toBeNull();
  });

  it('reads mangled reports as mailparser does, whenever it takes them, and neither reader throws', async () => {
    // A fixed seed: the same few hundred edits of a DSN and an ARF report on every run.
    let seed = 42;
    const random = (below: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % below;
    const pieces = ['\r\n', '\n', '-', ':', ' ', '\t', ';', '"', '=', '\r', 'Content-Type: multipart/x; boundary=b\r\n', '--dsn-boundary\r\n', '--arf--', 'Status: 5.1.1\r\n', '\r\n\r\n', 'é', '\u0000'];
    const originals = [crlf(dsn()).toString('latin1'), crlf(ARF).toString('latin1')];
    let taken = 0;
    for (let i = 0; i < 600; i++) {
      let text = originals[i % 2];
      for (let edits = 1 + random(4); edits > 0; edits--) {
        const at = random(text.length);
        const piece = pieces[random(pieces.length)];
        const operation = random(3);
        text = operation === 0 ? text.slice(0, at) + piece + text.slice(at) : operation === 1 ? text.slice(0, at) + text.slice(at + 1 + random(5)) : text.slice(0, at) + piece + text.slice(at + piece.length);
      }
      const raw = Buffer.from(text, 'latin1');
      const byMailparser = await readWithMailparser(raw);
      if (reportParts(raw) === null) continue;
      taken++;
      expect({ text, report: await readInboundReport(raw) }).toEqual({ text, report: byMailparser });
    }
    expect(taken).toBeGreaterThan(300);
    // Six hundred mailparser runs: seconds on a busy machine.
  }, 60_000);

  it.each(['Content-Type:', 'Content-Type: ;text/rfc822-headers'])('reads a DSN whose quoted-headers part has "%s" (mailparser gives no type: it threw)', async (header) => {
    const raw = crlf(dsn().replace('Content-Type: text/rfc822-headers', header));
    expect(await readWithMailparser(raw)).toMatchObject({ kind: 'delivery-status' });
    expect(await readInboundReport(raw)).toMatchObject({ kind: 'delivery-status' });
  });

  it('reads the parts of a DSN: types in lower case, the break before a delimiter left out', () => {
    const parts = reportParts(crlf(dsn({ statusHeaders: 'Content-Type: Message/Delivery-Status' })));
    expect(parts?.map((part) => part.type)).toEqual(['text/plain', 'message/delivery-status', 'text/rfc822-headers']);
    expect(parts?.[1].body).toBe(STATUS.replace(/\n/g, '\r\n'));
  });

  it('finds the recipients and statuses of a DSN', async () => {
    expect(await readInboundReport(crlf(dsn()))).toEqual({
      kind: 'delivery-status',
      recipients: [
        { recipient: 'Reader@Example.org', status: '5.1.1', action: 'failed' },
        { recipient: 'other@example.org', status: '4.2.2', action: 'delayed' },
      ],
    });
  });
});
