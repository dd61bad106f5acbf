import { Logger } from '@nestjs/common';
import { createTransport } from 'nodemailer';
import { MailTransport, SendOutcome, SmtpEnvelope } from './mail-transport';
import { classifySmtpError } from './smtp-errors';

export interface SmtpTransportOptions {
  /** nodemailer connection URL, e.g. smtp://user:pass@host:587 (SMTP_URL). */
  url: string;
  /** Parallel SMTP connections (SMTP_POOL_SIZE). */
  maxConnections: number;
  /**
   * How often the pool itself re-sends a message whose connection dropped mid-send.
   * Each re-send may duplicate a message the server had already accepted, and the
   * outbox retries anyway, so keep it small. Default 1.
   */
  maxRequeues?: number;
  connectionTimeoutMs?: number;
  greetingTimeoutMs?: number;
  socketTimeoutMs?: number;
  /** How long close() waits for messages in flight before it cuts connections. Default 30 s. */
  closeTimeoutMs?: number;
}

const DEFAULTS = {
  maxRequeues: 1,
  connectionTimeoutMs: 10_000,
  greetingTimeoutMs: 10_000,
  socketTimeoutMs: 60_000,
  closeTimeoutMs: 30_000,
};

/** Sends pre-built MIME through nodemailer's pooled SMTP transport; every failure becomes a classified outcome. */
export class SmtpTransport implements MailTransport {
  private readonly logger = new Logger(SmtpTransport.name);
  private readonly transporter: ReturnType<typeof createPool>;
  private readonly inFlight = new Set<Promise<SendOutcome>>();
  private readonly closeTimeoutMs: number;
  private closed = false;

  constructor(options: SmtpTransportOptions) {
    const settings = { ...DEFAULTS, ...options };
    this.closeTimeoutMs = settings.closeTimeoutMs;
    this.transporter = createPool(settings);
  }

  send(envelope: SmtpEnvelope, raw: Buffer, messageId: string): Promise<SendOutcome> {
    if (this.closed) return Promise.resolve({ status: 'transient', error: 'SMTP transport is closed' });
    const sending = this.deliver(envelope, raw, messageId);
    this.inFlight.add(sending);
    void sending.finally(() => this.inFlight.delete(sending));
    return sending;
  }

  async verify(): Promise<void> {
    await this.transporter.verify();
  }

  async close(): Promise<void> {
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), this.closeTimeoutMs);
    });
    const finished = Promise.allSettled([...this.inFlight]).then(() => false);
    const gaveUp = await Promise.race([finished, timedOut]);
    clearTimeout(timer);
    if (gaveUp) this.logger.warn(`closing the SMTP pool with ${this.inFlight.size} message(s) still in flight`);
    this.transporter.close({ force: gaveUp });
  }

  private async deliver(envelope: SmtpEnvelope, raw: Buffer, messageId: string): Promise<SendOutcome> {
    try {
      const info = await this.transporter.sendMail({ envelope: { from: envelope.from, to: envelope.to }, raw });
      // With one recipient a refusal arrives as an error; this only guards a partial acceptance.
      if (info.rejected.length > 0) return classifySmtpError(info.rejectedErrors?.[0] ?? { message: 'recipient rejected' });
      return { status: 'sent', response: info.response };
    } catch (error) {
      const outcome = classifySmtpError(error);
      this.logger.debug(`send of ${messageId} failed (${outcome.status}): ${outcome.error}`);
      return outcome;
    }
  }
}

function createPool(settings: Required<SmtpTransportOptions>) {
  return createTransport({
    url: settings.url,
    pool: true,
    maxConnections: settings.maxConnections,
    // A connection keeps sending until the server or the idle timeout ends it: reconnecting costs more than a message.
    maxMessages: Infinity,
    maxRequeues: settings.maxRequeues,
    connectionTimeout: settings.connectionTimeoutMs,
    greetingTimeout: settings.greetingTimeoutMs,
    socketTimeout: settings.socketTimeoutMs,
    logger: false,
  });
}
