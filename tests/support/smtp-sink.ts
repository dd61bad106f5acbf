import { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { HeaderLines, Headers, simpleParser } from 'mailparser';
import { SMTPServer, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';

export interface ReceivedMail {
  envelope: { from: string; to: string[] };
  messageId?: string;
  subject?: string;
  /** Parsed headers, keys lower-case; mailparser groups List-* headers under 'list'. See headerValue(). */
  headers: Headers;
  /** Header lines exactly as sent, for header-injection checks. */
  headerLines: HeaderLines;
  html?: string;
  text?: string;
  raw: Buffer;
  receivedAt: Date;
}

/** Every answer the sink gave, accepted or not, in order: what retry and backoff tests inspect. */
export interface SinkEvent {
  at: Date;
  /** `lost-reply`: the whole message was received (and kept), then the connection cut before the 250. */
  outcome: 'accepted' | 'failed' | 'dropped' | 'lost-reply' | 'recipient-rejected';
  code?: number;
  /** Who the message was for (the first recipient), so retries of one message can be told apart. */
  recipient?: string;
}

/** A header's value as sent (unfolded), e.g. headerValue(mail, 'List-Unsubscribe-Post'). */
export function headerValue(mail: ReceivedMail, name: string): string | undefined {
  const line = mail.headerLines.find((header) => header.key === name.toLowerCase())?.line;
  return line?.slice(line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
}

class SmtpReplyError extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A real SMTP server (smtp-server on a random 127.0.0.1 port, no TLS, any or
 * no auth) that keeps what it receives, parsed, and can be told to misbehave
 * the way real servers do: temporary failures, unknown recipients, dropped
 * connections, slowness.
 */
export class SmtpSink {
  readonly messages: ReceivedMail[] = [];
  readonly events: SinkEvent[] = [];
  private readonly sockets = new Map<number, Socket>();
  /** Client connections accepted since start (or the last reset). */
  connectionsAccepted = 0;
  private readonly rejected = new Map<string, { code: number; message: string }>();
  private readonly waiters = new Set<() => void>();
  private failures: { remaining: number; code: number; message: string } = { remaining: 0, code: 0, message: '' };
  private drops = 0;
  private lostReplies = 0;
  private lateReplies = { remaining: 0, ms: 0 };
  private delayMs = 0;

  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
  ) {}

  static async start(): Promise<SmtpSink> {
    let sink: SmtpSink | undefined;
    const server = new SMTPServer({
      logger: false,
      disabledCommands: ['STARTTLS'],
      authOptional: true,
      allowInsecureAuth: true,
      closeTimeout: 1000,
      onAuth: (auth, _session, callback) => callback(null, { user: auth.username ?? 'anyone' }),
      onRcptTo: (address, _session, callback) => callback(sink?.checkRecipient(address.address)),
      onData: (stream, session, callback) => {
        if (!sink) return callback(new SmtpReplyError(421, '4.3.0 not ready'));
        sink.receive(stream, session).then(
          (reply) => callback(null, reply),
          (error: Error) => callback(error),
        );
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.server.address();
    if (typeof address !== 'object' || !address) throw new Error('smtp sink has no address');
    sink = new SmtpSink(server, address.port);
    // A client that dies mid-session (a SIGKILLed service) resets its connection; smtp-server
    // emits that as 'error', which would take the whole test process down without a listener.
    server.on('error', () => undefined);
    sink.trackSockets();
    return sink;
  }

  /** For nodemailer's createTransport or SMTP_URL. */
  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** The next `count` messages get `code` (e.g. 451 try later, 421 closing) after their DATA. */
  failNext(count: number, code: number, message = `${code >= 500 ? '5' : '4'}.3.0 Temporary failure, try again later`): void {
    this.failures = { remaining: count, code, message };
  }

  /** RCPT TO for this address is refused from now on (e.g. 550 5.1.1 user unknown). */
  rejectRecipient(address: string, code = 550, message = '5.1.1 Recipient address rejected: user unknown'): void {
    this.rejected.set(address.toLowerCase(), { code, message });
  }

  /** The next `count` messages lose their connection in the middle of DATA, without any reply. */
  dropConnectionMidData(count: number): void {
    this.drops = count;
  }

  /**
   * The next `count` messages are received whole (and kept: a real relay would
   * deliver them), then the connection is cut before the 250: the client cannot
   * know the outcome.
   */
  loseReplyAfterData(count: number): void {
    this.lostReplies = count;
  }

  /** The next `count` messages are kept as soon as their final dot arrives, and answered 250 only `ms` later. */
  answerLate(count: number, ms: number): void {
    this.lateReplies = { remaining: count, ms };
  }

  /** Closes the listening port: new connections are refused (ECONNREFUSED) and open sessions cut, as when a relay is down. */
  async stopListening(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.server.close(() => resolve()));
    this.endSessions();
    await closed;
  }

  /** Listens again on the same port after stopListening(). */
  async listenAgain(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.server.once('error', reject);
      this.server.server.listen(this.port, '127.0.0.1', () => {
        this.server.server.off('error', reject);
        resolve();
      });
    });
  }

  /** Every following message waits this long before it is answered. */
  delay(ms: number): void {
    this.delayMs = ms;
  }

  /** Resolves with the first `count` accepted messages once they are in. */
  async waitFor(count: number, timeoutMs = 30_000): Promise<ReceivedMail[]> {
    if (this.messages.length >= count) return this.messages.slice(0, count);
    let check: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        check = () => this.messages.length >= count && resolve();
        this.waiters.add(check);
        timer = setTimeout(
          () => reject(new Error(`smtp sink: ${this.messages.length} of ${count} messages within ${timeoutMs} ms`)),
          timeoutMs,
        );
      });
    } finally {
      if (check) this.waiters.delete(check);
      clearTimeout(timer);
    }
    return this.messages.slice(0, count);
  }

  /** Forgets received messages, events and every instruction. */
  reset(): void {
    this.messages.length = 0;
    this.events.length = 0;
    this.rejected.clear();
    this.failures = { remaining: 0, code: 0, message: '' };
    this.drops = 0;
    this.lostReplies = 0;
    this.lateReplies = { remaining: 0, ms: 0 };
    this.delayMs = 0;
    this.connectionsAccepted = 0;
  }

  /** Closes every open session from the server's side, as a server's idle timeout does. */
  endSessions(): void {
    for (const socket of this.sockets.values()) socket.destroy();
  }

  get openConnections(): number {
    return this.sockets.size;
  }

  async close(): Promise<void> {
    // Pooled clients keep connections open; waiting for them would stall close for seconds.
    for (const socket of this.sockets.values()) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private trackSockets(): void {
    this.server.server.on('connection', (socket: Socket) => {
      const port = socket.remotePort;
      if (port === undefined) return;
      this.connectionsAccepted += 1;
      this.sockets.set(port, socket);
      socket.once('close', () => this.sockets.delete(port));
    });
  }

  private checkRecipient(address: string): Error | undefined {
    const rejection = this.rejected.get(address.toLowerCase());
    if (!rejection) return undefined;
    this.events.push({ at: new Date(), outcome: 'recipient-rejected', code: rejection.code, recipient: address });
    return new SmtpReplyError(rejection.code, rejection.message);
  }

  private async receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<string> {
    if (this.drops > 0) {
      this.drops--;
      await this.dropMidData(stream, session);
      throw new SmtpReplyError(421, '4.4.2 connection dropped');
    }
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    if (this.lostReplies > 0) {
      this.lostReplies--;
      await this.keep(raw, session, 'lost-reply');
      this.sockets.get(session.remotePort)?.destroy();
      throw new SmtpReplyError(421, '4.4.2 connection lost after the data');
    }
    if (this.lateReplies.remaining > 0) {
      this.lateReplies.remaining--;
      await this.keep(raw, session, 'accepted');
      // Unreferenced: a test that gave up waiting must not be kept alive by a reply nobody reads.
      await sleep(this.lateReplies.ms, undefined, { ref: false });
      return `OK: queued as ${this.messages.length}, late`;
    }
    if (this.delayMs > 0) await sleep(this.delayMs);
    if (this.failures.remaining > 0) {
      this.failures.remaining--;
      this.events.push({ at: new Date(), outcome: 'failed', code: this.failures.code, recipient: session.envelope.rcptTo[0]?.address });
      throw new SmtpReplyError(this.failures.code, this.failures.message);
    }
    await this.keep(raw, session, 'accepted');
    return `OK: queued as ${this.messages.length}`;
  }

  /** Keeps a received message, parsed, and wakes whoever waits for it. */
  private async keep(raw: Buffer, session: SMTPServerSession, outcome: SinkEvent['outcome']): Promise<void> {
    const parsed = await simpleParser(raw);
    this.messages.push({
      envelope: {
        from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
        to: session.envelope.rcptTo.map((recipient) => recipient.address),
      },
      messageId: parsed.messageId,
      subject: parsed.subject,
      headers: parsed.headers,
      headerLines: parsed.headerLines,
      html: parsed.html === false ? undefined : parsed.html,
      text: parsed.text,
      raw,
      receivedAt: new Date(),
    });
    const recipient = session.envelope.rcptTo[0]?.address;
    this.events.push(outcome === 'accepted' ? { at: new Date(), outcome, code: 250 } : { at: new Date(), outcome, recipient });
    for (const waiter of this.waiters) waiter();
  }

  /**
   * Waits for the first bytes of the message, then resets the TCP connection (RST), as a
   * server (or its host) that gives up mid-transfer does: what it had not read of the
   * message, the final dot included, is discarded, so the client knows it was not taken.
   */
  private async dropMidData(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> {
    await new Promise<void>((resolve) => {
      stream.once('data', () => resolve());
      stream.once('end', () => resolve());
    });
    this.sockets.get(session.remotePort)?.resetAndDestroy();
    this.events.push({ at: new Date(), outcome: 'dropped', recipient: session.envelope.rcptTo[0]?.address });
    stream.resume();
  }
}
