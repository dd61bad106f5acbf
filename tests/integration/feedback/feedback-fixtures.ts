import SMTPConnection from 'nodemailer/lib/smtp-connection';
import request from 'supertest';
import { BounceListener } from '../../../src/feedback/bounce-listener';
import { SuppressionRepository } from '../../../src/suppression/suppression.repository';
import { eventually, TestApp } from '../../support/app';
import { ReceivedMail } from '../../support/smtp-sink';
import { aReader, anArticle, asEditor } from '../editor/editor-fixtures';

export const BOUNCE_DOMAIN = 'bounces.dispatch.test';

/** What one email left behind: its reader, the mail the sink got (with the VERP envelope sender) and its row. */
export interface SentEmail {
  reader: { id: string; email: string };
  mail: ReceivedMail;
  deliveryId: bigint;
  alertId: string;
}

let alerts = 0;

/** A breaking alert to one new reader (or to `reader`), as it reached the relay. */
export async function anAlertSent(app: TestApp, reader?: { id: string; email: string }): Promise<SentEmail> {
  const tag = `feedback-${++alerts}-${Date.now().toString(36)}`;
  const to = reader ?? (await aReader(app.prisma, { tags: [tag] }));
  if (reader) await app.prisma.subscriber.update({ where: { id: reader.id }, data: { tags: { push: tag } } });
  const article = await anArticle(app.prisma, { tags: [tag] });
  const created = await request(app.url).post('/alerts').set(asEditor).send({ articleId: article.id }).expect(202);
  const alertId: string = created.body.alertId;
  const mail = await eventually(async () => app.smtp.messages.find((m) => m.envelope.to.includes(to.email) && m.messageId?.includes(alertId)));
  const delivery = await eventually(async () => (await app.prisma.delivery.findFirst({ where: { alertId, status: 'sent' } })) ?? undefined);
  return { reader: to, mail, deliveryId: delivery.id, alertId };
}

export function listenerPort(app: TestApp): number {
  const port = app.app.get(BounceListener).port;
  if (!port) throw new Error('the bounce listener is not listening');
  return port;
}

export interface SmtpAnswer {
  accepted: boolean;
  code?: number;
  response?: string;
}

/** One SMTP transaction to the bounce listener, as a remote MTA makes it (null sender, like every bounce). */
export async function sendToListener(port: number, to: string[], raw: string | Buffer, from = ''): Promise<SmtpAnswer> {
  const connection = new SMTPConnection({ host: '127.0.0.1', port, ignoreTLS: true, connectionTimeout: 5_000, socketTimeout: 10_000 });
  try {
    await new Promise<void>((resolve, reject) => {
      connection.once('error', reject);
      connection.connect(() => resolve());
    });
    return await new Promise<SmtpAnswer>((resolve) => {
      connection.send({ from, to }, typeof raw === 'string' ? Buffer.from(raw) : raw, (error, info) => {
        if (error) resolve({ accepted: false, code: (error as Error & { responseCode?: number }).responseCode, response: error.message });
        else resolve({ accepted: info.rejected.length === 0, response: info.response });
      });
    });
  } finally {
    connection.quit();
  }
}

const CRLF = (text: string) => text.replace(/\r?\n/g, '\r\n');

/** A delivery status notification as Postfix writes one (RFC 3464). */
export function aDsn(options: { to: string; finalRecipient: string; status: string; action?: string; quotedHeaders?: string; reportId?: string }): string {
  return CRLF(`From: MAILER-DAEMON@mx.readers.test (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: ${options.to}
Message-Id: <${options.reportId ?? Math.random().toString(36).slice(2)}@mx.readers.test>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="dsn-boundary"

--dsn-boundary
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.readers.test.
Your message could not be delivered to one or more recipients.

--dsn-boundary
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.readers.test
Arrival-Date: Sat,  5 Dec 2026 06:00:00 +0000 (UTC)

Final-Recipient: rfc822; ${options.finalRecipient}
Original-Recipient: rfc822;${options.finalRecipient}
Action: ${options.action ?? (options.status.startsWith('5') ? 'failed' : 'delayed')}
Status: ${options.status}
Diagnostic-Code: smtp; 550 ${options.status} <${options.finalRecipient}>: Recipient address rejected

--dsn-boundary
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

${options.quotedHeaders ?? 'Subject: (headers not quoted)'}

--dsn-boundary--
`);
}

/** A complaint report as a mailbox provider's feedback loop sends one (RFC 5965). */
export function anArf(options: { to: string; originalMailFrom: string; originalRcptTo: string; feedbackType?: string }): string {
  return CRLF(`From: <fbl@isp.readers.test>
Date: Sat, 5 Dec 2026 06:10:00 +0000
Subject: FW: complaint about a message from you
To: <${options.to}>
Message-ID: <arf-${Math.random().toString(36).slice(2)}@isp.readers.test>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report;
     boundary="arf-boundary"

--arf-boundary
Content-Type: text/plain; charset="US-ASCII"
Content-Transfer-Encoding: 7bit

This is an email abuse report for an email message received from IP
192.0.2.1 on Sat, 5 Dec 2026 06:00:00 +0000.

--arf-boundary
Content-Type: message/feedback-report

Feedback-Type: ${options.feedbackType ?? 'abuse'}
User-Agent: ReadersFBL/1.0
Version: 1
Original-Mail-From: <${options.originalMailFrom}>
Original-Rcpt-To: <${options.originalRcptTo}>
Arrival-Date: Sat, 5 Dec 2026 06:00:00 +0000
Reported-Domain: dispatch.test

--arf-boundary
Content-Type: message/rfc822
Content-Disposition: inline

Return-Path: <${options.originalMailFrom}>
From: Dispatch <news@dispatch.test>
To: ${options.originalRcptTo}
Subject: Breaking news
Message-ID: <quoted@dispatch.test>

The email the reader complained about.
--arf-boundary--
`);
}

/** A metric's value for one label set, 0 when it has not been counted. */
export async function metric(app: TestApp, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${app.url}/metrics`)).text();
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{`) || candidate.startsWith(`${name} `) ? wanted.every((label) => candidate.includes(label)) : false);
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

export function isSuppressed(app: TestApp, email: string): Promise<boolean> {
  return app.app.get(SuppressionRepository).isSuppressed(email);
}
