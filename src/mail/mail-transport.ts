/** Who the SMTP server is told the message is from and for; independent of the From/To headers. */
export interface SmtpEnvelope {
  from: string;
  to: string;
}

/**
 * What happened to one message. `transient`: try again later (4xx, connection trouble,
 * our own SMTP credentials). `permanent`: this message will never be accepted as it
 * is; `hardBounce` when the address itself does not exist and should be suppressed.
 * Error texts never contain an email address.
 */
export type SendOutcome =
  | { status: 'sent'; response: string }
  | { status: 'transient'; error: string }
  | { status: 'permanent'; error: string; hardBounce: boolean };

export type SendFailure = Exclude<SendOutcome, { status: 'sent' }>;

/** The one way out of the service for email. `send` never throws: every failure is an outcome. */
export interface MailTransport {
  send(envelope: SmtpEnvelope, raw: Buffer, messageId: string): Promise<SendOutcome>;
  /** Resolves when the server is reachable and accepts our session; rejects otherwise. */
  verify(): Promise<void>;
  /** Stops taking messages, lets those in flight finish, then closes connections. */
  close(): Promise<void>;
}
