import { createHash } from 'node:crypto';
import { AddressInfo } from 'node:net';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SMTPServer, SMTPServerAddress, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/config';
import { BounceReferences } from '../mail/bounce-reference';
import { MetricsService } from '../metrics/metrics.service';
import { FeedbackService } from './feedback.service';
import { feedbackFromReport } from './inbound-feedback';
import { readInboundReport } from './reports/inbound-report';
import { SessionRateLimit } from './session-rate-limit';

/** An SMTP reply with its code, as smtp-server sends an Error's responseCode. */
function reply(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

/**
 * Dispatch's inbound SMTP server (BOUNCE_SMTP_PORT): takes mail only for bounces+…@BOUNCE_DOMAIN
 * and postmaster@, reads it as a delivery status notification, a complaint report or a plain
 * bounce, and hands what it says to the feedback pipeline. It never relays: any other
 * recipient is refused with 550 before a byte of content is read.
 *
 * Accounting: a message is accepted (250) only once it has been read and its events applied or
 * found to have none (counted as unparseable); if the database fails it answers 451, so the
 * sending MTA keeps it and tries again.
 */
@Injectable()
export class BounceListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(BounceListener.name);
  private server?: SMTPServer;
  private readonly settings?: NonNullable<AppConfig['bounces']['listener']>;
  private readonly rateLimit?: SessionRateLimit;

  constructor(
    private readonly feedback: FeedbackService,
    private readonly references: BounceReferences,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.settings = config.bounces.listener;
    if (this.settings) this.rateLimit = new SessionRateLimit(this.settings.maxSessionsPerMinute);
  }

  async onApplicationBootstrap(): Promise<void> {
    const settings = this.settings;
    if (!settings) return;
    const server = new SMTPServer({
      name: this.references.domain,
      banner: 'Dispatch bounce listener',
      logger: false,
      // Nobody logs in to send us bounces, and a self-signed STARTTLS would protect nothing.
      disabledCommands: ['AUTH', 'STARTTLS'],
      authOptional: true,
      size: settings.maxMessageBytes,
      maxClients: 100,
      socketTimeout: 60_000,
      closeTimeout: 5_000,
      onConnect: (session, callback) => this.onConnect(session, callback),
      onRcptTo: (address, _session, callback) => this.onRcptTo(address, callback),
      onData: (stream, session, callback) => void this.onData(stream, session, settings.maxMessageBytes, callback),
    });
    // A client's misbehaviour (a reset, a bad TLS hello) is smtp-server's to end; it must never end us.
    server.on('error', (error: Error) => this.logger.warn({ err: error.message, msg: 'bounce listener session error' }));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(settings.port, settings.host, () => {
        server.removeListener('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.logger.log({ port: this.port, host: settings.host, msg: 'bounce listener started' });
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The port it listens on (BOUNCE_SMTP_PORT=0 picks a free one). */
  get port(): number | undefined {
    return (this.server?.server.address() as AddressInfo | null)?.port;
  }

  private onConnect(session: SMTPServerSession, callback: (error?: Error | null) => void): void {
    if (this.rateLimit?.allow(session.remoteAddress)) return callback();
    this.metrics.feedbackRejected.inc({ source: 'smtp', reason: 'rate limited' });
    callback(reply(421, '4.7.0 Too many connections, try again later'));
  }

  private onRcptTo(address: SMTPServerAddress, callback: (error?: Error | null) => void): void {
    const to = address.address;
    const at = to.lastIndexOf('@');
    const local = to.slice(0, at).toLowerCase();
    const domain = to.slice(at + 1).toLowerCase();
    if (this.references.isBounceMailbox(to) || (local === 'postmaster' && (domain === this.references.domain || at === -1))) return callback();
    callback(reply(550, '5.7.1 Relaying denied: this server only takes bounces for its own mail'));
  }

  private async onData(stream: SMTPServerDataStream, session: SMTPServerSession, maxBytes: number, callback: (error?: Error | null) => void): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        // Past the limit the rest is read and dropped: smtp-server needs the stream drained to answer.
        if (size + chunk.length <= maxBytes) chunks.push(chunk);
        size += chunk.length;
      }
    } catch {
      return callback(reply(451, '4.3.0 Could not read the message'));
    }
    if (stream.sizeExceeded || size > maxBytes) {
      this.metrics.feedbackRejected.inc({ source: 'smtp', reason: 'too large' });
      return callback(reply(552, '5.3.4 Message too big'));
    }
    try {
      await this.process(Buffer.concat(chunks, size), session.envelope.rcptTo.map((rcpt) => rcpt.address));
      callback();
    } catch (error) {
      this.logger.error({ err: (error as Error).message, msg: 'bounce report not applied; the sender will retry' });
      callback(reply(451, '4.3.0 Temporary failure, try again later'));
    }
  }

  private async process(raw: Buffer, recipients: string[]): Promise<void> {
    const report = await readInboundReport(raw);
    const events = feedbackFromReport(report, {
      envelopeRecipients: recipients,
      digest: createHash('sha256').update(raw).digest('hex'),
      isBounceMailbox: (address) => this.references.isBounceMailbox(address),
      quotedBounceAddress: () => this.quotedBounceAddress(raw),
    });
    if (events.length === 0) {
      this.metrics.bounceReports.inc({ outcome: 'unparseable' });
      this.feedback.rejectUnreadable('smtp', report.kind === 'unparseable' ? report.reason : 'no bounce or complaint for an email of ours in it');
      return;
    }
    await this.feedback.apply(events);
    this.metrics.bounceReports.inc({ outcome: 'processed' });
  }

  /** A report sent to postmaster@ names our email only through the copy of its headers it quotes. */
  private quotedBounceAddress(raw: Buffer): string | undefined {
    const domain = this.references.domain.replace(/[.]/g, '\\.');
    return new RegExp(`bounces\\+[a-z2-7]+-[a-z2-7]{16}@${domain}`, 'i').exec(raw.toString('latin1'))?.[0];
  }
}
