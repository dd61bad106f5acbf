/** Who the SMTP server is told the message is from and for; independent of the From/To headers. */
export interface SmtpEnvelope {
  from: string;
  to: string;
}

/**
 * What happened to one message. `transient`: try again later (a 4xx reply, a session
 * that broke before our final dot was taken). `permanent`: this message will never be
 * accepted as it is; `hardBounce` when the address itself does not exist and should be
 * suppressed. `unknown`: the whole message went out and no reply came back (the
 * connection closed or the reply timed out after the final dot): the server may have
 * it. `unreachable`: no session could be opened (refused, timed out, TLS or AUTH
 * failed): the message never left, and nothing about it was judged.
 * `withdrawn`: the caller withdrew it before it reached the server.
 * Error texts never contain an email address.
 */
export type SendOutcome = { status: 'sent'; response: string } | { status: 'withdrawn' } | SendFailure;

export type SendFailure =
  | { status: 'transient'; error: string }
  | { status: 'permanent'; error: string; hardBounce: boolean }
  | { status: 'unknown'; error: string }
  | { status: 'unreachable'; error: string };

/** The one way out of the service for email. `send` never throws: every failure is an outcome. */
export interface MailTransport {
  /**
   * `withdrawn` is asked when the message is handed over and again once a connection is
   * free for it: true withdraws it. Once on the wire it goes. (A plain callback, not an
   * AbortSignal: creating one per email cost 1.6 % of an alert fan-out's CPU.)
   */
  send(envelope: SmtpEnvelope, raw: Buffer, messageId: string, withdrawn?: () => boolean): Promise<SendOutcome>;
  /** Resolves when the server is reachable and accepts our session; rejects otherwise. */
  verify(): Promise<void>;
  /** Stops taking messages, lets those in flight finish, then closes connections. */
  close(): Promise<void>;
}
