/** Where feedback came from: Dispatch's own bounce listener, or a relay's webhook. */
export type FeedbackSource = 'smtp' | 'ses' | 'sendgrid' | 'mailgun' | 'postmark';

/** hard: 5.x.x, the address will never take mail; soft: 4.x.x, transient; complaint: marked as spam; delivered: it arrived. */
export type FeedbackType = 'hard' | 'soft' | 'complaint' | 'delivered';

/** How a report names the email it is about, strongest first. */
export type FeedbackTarget =
  /** The envelope sender we minted: signed, so it is the only thing a mailed report is trusted by. */
  | { reference: string }
  /** The Message-ID a relay reports in its signed webhook. */
  | { messageId: string }
  /** Only the recipient (Postmark): the latest email sent to that address. */
  | { recipient: string };

/** One thing a report says about one email, in the same shape whichever adapter heard it. */
export interface FeedbackEvent {
  source: FeedbackSource;
  type: FeedbackType;
  /** Unique per event and source (the provider's event id, or a digest of the report): the same event twice is one. */
  key: string;
  target: FeedbackTarget;
  /** Who the report says the email was for; when given it must be the reader the email went to. */
  recipient?: string;
  /** The enhanced status code, e.g. 5.1.1; for the log and the suppression reason. */
  status?: string;
  /** Complaints: the ARF Feedback-Type (abuse, fraud, …) or the relay's own word. */
  complaintKind?: string;
}

/** What the pipeline did with an event; never thrown, always counted. */
export type FeedbackOutcome =
  | { status: 'applied'; deliveryId: bigint }
  | { status: 'duplicate' }
  | { status: 'rejected'; reason: 'unknown message' | 'bad reference' | 'recipient mismatch' };
