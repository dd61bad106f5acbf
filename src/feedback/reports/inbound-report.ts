import { simpleParser } from 'mailparser';
import { findEnhancedStatus } from '../status-class';
import { reportFieldGroups, statusCode, typedAddress } from './report-fields';
import { ReportPart, reportParts } from './report-mime';

export interface RecipientStatus {
  recipient?: string;
  status?: string;
  action?: string;
}

/** What a message that reached the bounce listener says, as far as it can be read. */
export type InboundReport =
  /** RFC 3464 (and RFC 6533's global form): one entry per recipient the report covers. */
  | { kind: 'delivery-status'; recipients: RecipientStatus[] }
  /** RFC 5965 ARF. */
  | { kind: 'complaint'; feedbackType: string; recipient?: string; originalMailFrom?: string }
  /** Not a standard report, but its text carries an enhanced status code. */
  | { kind: 'plain-bounce'; status: string }
  | { kind: 'unparseable'; reason: string };

const DELIVERY_STATUS = new Set(['message/delivery-status', 'message/global-delivery-status']);

/**
 * Reads a bounce or complaint report. A plain multipart/report is split by reportParts; anything
 * else, and a report without a report part, goes to mailparser. The report parts are ours to
 * read (a few header-style fields). Never throws: anything unreadable is `unparseable`.
 */
export async function readInboundReport(raw: Buffer): Promise<InboundReport> {
  const parts = reportParts(raw);
  return (parts && fromReportParts(parts)) ?? readWithMailparser(raw);
}

/** The whole message through mailparser: every MIME shape, and the text of a plain bounce. */
export async function readWithMailparser(raw: Buffer): Promise<InboundReport> {
  let parsed;
  try {
    parsed = await simpleParser(raw, { keepDeliveryStatus: true, skipHtmlToText: true, skipTextLinks: true, skipImageLinks: true });
  } catch {
    return { kind: 'unparseable', reason: 'not a MIME message' };
  }
  // A part whose Content-Type is empty has none here (not a string): it is no report part, and must not throw.
  const parts = parsed.attachments.map((part) => ({ type: typeof part.contentType === 'string' ? part.contentType.toLowerCase() : '', body: part.content.toString('utf8') }));
  const report = fromReportParts(parts);
  if (report) return report;
  const code = findEnhancedStatus(`${parsed.subject ?? ''}\n${parsed.text ?? ''}`);
  if (code) return { kind: 'plain-bounce', status: code };
  return { kind: 'unparseable', reason: 'neither a report nor a bounce text with a status code' };
}

/** What the report part says, or null when there is none (a complaint report outranks a delivery status). */
function fromReportParts(parts: readonly ReportPart[]): InboundReport | null {
  const feedback = parts.find((part) => part.type === 'message/feedback-report');
  if (feedback) {
    const fields = reportFieldGroups(feedback.body)[0];
    const feedbackType = fields?.get('feedback-type')?.toLowerCase();
    if (!feedbackType) return { kind: 'unparseable', reason: 'feedback report without Feedback-Type' };
    return {
      kind: 'complaint',
      feedbackType,
      recipient: typedAddress(fields.get('original-rcpt-to')),
      originalMailFrom: typedAddress(fields.get('original-mail-from')),
    };
  }

  const status = parts.find((part) => DELIVERY_STATUS.has(part.type));
  if (status) {
    const recipients = reportFieldGroups(status.body)
      .slice(1)
      .map((group) => ({
        // What we sent to; the final recipient differs when the mailbox forwarded it.
        recipient: typedAddress(group.get('original-recipient') ?? group.get('final-recipient')),
        status: statusCode(group.get('status')),
        action: group.get('action')?.toLowerCase(),
      }))
      .filter((entry) => entry.status !== undefined);
    if (recipients.length === 0) return { kind: 'unparseable', reason: 'delivery status without a recipient status' };
    return { kind: 'delivery-status', recipients };
  }
  return null;
}
