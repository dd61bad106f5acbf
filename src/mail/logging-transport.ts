import { Logger } from '@nestjs/common';
import { MailTransport, SendOutcome, SmtpEnvelope } from './mail-transport';

export interface LoggedMessage {
  envelope: SmtpEnvelope;
  raw: Buffer;
  messageId: string;
}

/**
 * A transport that sends nothing: it logs each message's id and size (never the
 * address or body) and keeps the messages for tests to inspect. The outcome of each
 * send can be scripted to exercise retry and bounce handling.
 */
export class LoggingTransport implements MailTransport {
  private readonly logger = new Logger(LoggingTransport.name);
  private readonly messages: LoggedMessage[] = [];
  private closed = false;

  constructor(private readonly outcome: (message: LoggedMessage) => SendOutcome = () => ({ status: 'sent', response: '250 logged' })) {}

  get sent(): readonly LoggedMessage[] {
    return this.messages;
  }

  async send(envelope: SmtpEnvelope, raw: Buffer, messageId: string, withdrawn?: () => boolean): Promise<SendOutcome> {
    if (this.closed) return { status: 'transient', error: 'logging transport is closed' };
    if (withdrawn?.()) return { status: 'withdrawn' };
    const message = { envelope, raw, messageId };
    const outcome = this.outcome(message);
    if (outcome.status === 'sent') this.messages.push(message);
    this.logger.log(`${outcome.status}: message ${messageId} (${raw.length} bytes)`);
    return outcome;
  }

  async verify(): Promise<void> {
    if (this.closed) throw new Error('logging transport is closed');
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
