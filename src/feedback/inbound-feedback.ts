import { FeedbackEvent } from './feedback-event';
import { InboundReport } from './reports/inbound-report';
import { statusClass } from './status-class';

export interface InboundContext {
  /** RCPT TO addresses of the SMTP transaction that the listener accepted. */
  envelopeRecipients: readonly string[];
  /** Digest of the raw report: the same report delivered twice makes the same keys. */
  digest: string;
  /** Tells our envelope senders apart from any other address. */
  isBounceMailbox: (address: string) => boolean;
  /**
   * The first bounces+…@BOUNCE_DOMAIN address quoted anywhere in the report (the copy of our
   * email's headers); asked only for a report that names none of ours otherwise, as scanning costs.
   */
  quotedBounceAddress: () => string | undefined;
}

/**
 * Turns a report into events about the emails it names. The email is named only by our signed
 * envelope sender: the address the report was sent to, else the one the report quotes (a report
 * to postmaster@). Nothing else in it (its Message-ID, its recipient) picks an email.
 */
export function feedbackFromReport(report: InboundReport, context: InboundContext): FeedbackEvent[] {
  if (report.kind === 'unparseable') return [];
  const references = context.envelopeRecipients.filter((address) => context.isBounceMailbox(address));
  if (references.length === 0) {
    const quoted = report.kind === 'complaint' && report.originalMailFrom && context.isBounceMailbox(report.originalMailFrom) ? report.originalMailFrom : context.quotedBounceAddress();
    if (quoted) references.push(quoted);
  }

  const events: FeedbackEvent[] = [];
  references.forEach((reference, referenceIndex) => {
    const key = (index: number) => `smtp:${context.digest}:${referenceIndex}:${index}`;
    switch (report.kind) {
      case 'complaint':
        // A "not-spam" report undoes nothing and says nothing against the address.
        if (report.feedbackType === 'not-spam') return;
        events.push({ source: 'smtp', type: 'complaint', key: key(0), target: { reference }, recipient: report.recipient, complaintKind: report.feedbackType });
        return;
      case 'plain-bounce': {
        const type = statusClass(report.status);
        if (type === 'hard' || type === 'soft') events.push({ source: 'smtp', type, key: key(0), target: { reference }, status: report.status });
        return;
      }
      case 'delivery-status':
        report.recipients.forEach((entry, index) => {
          const type = statusClass(entry.status);
          if (type) events.push({ source: 'smtp', type, key: key(index), target: { reference }, recipient: entry.recipient, status: entry.status });
        });
        return;
    }
  });
  return events;
}
