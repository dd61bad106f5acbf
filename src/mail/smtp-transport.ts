import { Readable, Writable } from 'node:stream';
import { Logger } from '@nestjs/common';
import { parseConnectionUrl } from 'nodemailer/lib/shared';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { MailTransport, SendOutcome, SmtpEnvelope } from './mail-transport';
import { classifyAfterFinalDot, classifySmtpError } from './smtp-errors';

export interface SmtpTransportOptions {
  /** nodemailer connection URL, e.g. smtp://user:pass@host:587 (SMTP_URL). */
  url: string;
  /** Parallel SMTP connections (SMTP_POOL_SIZE). */
  maxConnections: number;
  /**
   * smtp://: STARTTLS must succeed before MAIL FROM, or nothing is sent (no quiet fall-back to
   * plain text when a man in the middle strips the STARTTLS offer). smtps:// is TLS from the start.
   */
  requireTls?: boolean;
  /** PEM CA(s) the relay's certificate must chain to, instead of the system's. Certificates are always verified. */
  ca?: string;
  connectionTimeoutMs?: number;
  greetingTimeoutMs?: number;
  socketTimeoutMs?: number;
  /** An unused connection is closed after this long, before the server's own idle timeout ends it. Default 20 s. */
  idleTimeoutMs?: number;
  /** How long close() waits for messages in flight before it cuts connections. Default 30 s. */
  closeTimeoutMs?: number;
  /** One message's whole hand-over (envelope, data, reply) may take this long before its session is cut. */
  messageDeadlineMs?: number;
}

const DEFAULTS = {
  connectionTimeoutMs: 10_000,
  greetingTimeoutMs: 10_000,
  // RFC 5321 §4.5.3.2.6: a client waits 10 minutes for the reply to the final dot,
  // because the server may be writing the message to its queue meanwhile. Giving up
  // sooner turns a slow accept into a resend, i.e. a duplicate.
  socketTimeoutMs: 10 * 60_000,
  messageDeadlineMs: 11 * 60_000,
  idleTimeoutMs: 20_000,
  closeTimeoutMs: 30_000,
};

const WITHDRAWN: SendOutcome = { status: 'withdrawn' };

/** Replies that refused this message only: the session itself is fine and, after RSET, carries the next one. */
const MESSAGE_REFUSALS = new Set(['EENVELOPE', 'EMESSAGE']);

interface NodemailerError extends Error {
  code?: string;
  responseCode?: number;
  afterFinalDot?: boolean;
}

/** One SMTP session, reused message after message until it fails or idles out. */
class Lane {
  dead = false;
  idleTimer?: NodeJS.Timeout;

  constructor(readonly connection: SMTPConnection) {
    // An idle session the server drops (or that times out) must not crash the process, only leave the pool.
    connection.on('error', () => (this.dead = true));
    connection.on('end', () => (this.dead = true));
  }

  /**
   * Rejects with `afterFinalDot` set once the whole message, dot included, was handed
   * to the connection: from then on a missing reply leaves the outcome unknown.
   * (nodemailer reads the stream only after the server's 354, and appends the dot
   * when it ends.) The deadline cuts a session that takes longer than that in total.
   */
  send(envelope: SmtpEnvelope, raw: Buffer, deadlineMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      let handedOver = false;
      // nodemailer pipes a message that has pipe() into its data stream once the server
      // said 354; this one writes the whole buffer and ends it in one go, as nodemailer
      // does with a plain Buffer (a real Readable cost a second socket write per message),
      // and notes that the message and its final dot are handed over.
      const body = {
        pipe(stream: Writable): void {
          stream.write(raw);
          stream.end();
          handedOver = true;
        },
      } as unknown as Readable;
      const deadline = setTimeout(() => {
        this.dead = true;
        this.connection.close();
        settle(Object.assign(new Error(`no reply within ${Math.round(deadlineMs / 1000)} s`), { code: 'ETIMEDOUT' }));
      }, deadlineMs);
      const settle = (error: Error | null, response?: string) => {
        clearTimeout(deadline);
        if (!error) return resolve(response ?? '');
        reject(Object.assign(error, { afterFinalDot: handedOver }));
      };
      this.connection.send({ from: envelope.from, to: [envelope.to] }, body, (error, info) => {
        if (error) settle(error);
        else if (info.rejected.length > 0) settle(info.rejectedErrors?.[0] ?? Object.assign(new Error('recipient rejected'), { code: 'EENVELOPE' }));
        else settle(null, info.response);
      });
    });
  }

  /** RSET after a refused message, so the next one starts a clean transaction; false when the session is gone. */
  reset(): Promise<boolean> {
    if (this.dead) return Promise.resolve(false);
    return new Promise((resolve) => this.connection.reset((error) => resolve(!error)));
  }

  close(graceful: boolean): void {
    clearTimeout(this.idleTimer);
    this.dead = true;
    if (graceful) this.connection.quit();
    else this.connection.close();
  }
}

/**
 * Sends pre-built MIME over a pool of nodemailer SMTP connections; every failure
 * becomes a classified outcome.
 *
 * The pool is ours, the SMTP is nodemailer's (SMTPConnection: STARTTLS, AUTH,
 * PIPELINING, dot-stuffing). nodemailer's own pooled transport wraps each message
 * in its Mail/MimeNode layers even when handed raw MIME, which cost as much CPU
 * as everything else per email together (bench/alert, "transport" rows).
 */
export class SmtpTransport implements MailTransport {
  private readonly logger = new Logger(SmtpTransport.name);
  private readonly settings: Required<Omit<SmtpTransportOptions, 'url' | 'requireTls' | 'ca'>>;
  private readonly connectionOptions: SMTPConnection.Options;
  private readonly auth?: { user: string; pass: string };
  private readonly idle: Lane[] = [];
  private readonly waiting: Array<{ resolve: (lane: Lane) => void; reject: (error: Error) => void }> = [];
  private readonly inFlight = new Set<Promise<SendOutcome>>();
  private open = 0;
  private closed = false;

  constructor(options: SmtpTransportOptions) {
    const { url, requireTls, ca, ...rest } = options;
    this.settings = { ...DEFAULTS, ...rest };
    const parsed = parseConnectionUrl(url) as SMTPConnection.Options & { auth?: { user?: string; pass?: string } };
    const { auth, ...connection } = parsed;
    this.connectionOptions = {
      ...connection,
      ...(requireTls ? { requireTLS: true, ignoreTLS: false } : {}),
      tls: { ...connection.tls, rejectUnauthorized: true, ...(ca ? { ca } : {}) },
      connectionTimeout: this.settings.connectionTimeoutMs,
      greetingTimeout: this.settings.greetingTimeoutMs,
      socketTimeout: this.settings.socketTimeoutMs,
      logger: false,
    };
    if (auth?.user) this.auth = { user: auth.user, pass: auth.pass ?? '' };
  }

  send(envelope: SmtpEnvelope, raw: Buffer, messageId: string, withdrawn?: () => boolean): Promise<SendOutcome> {
    if (this.closed) return Promise.resolve({ status: 'transient', error: 'SMTP transport is closed' });
    const sending = this.deliver(envelope, raw, messageId, withdrawn);
    this.inFlight.add(sending);
    void sending.finally(() => this.inFlight.delete(sending));
    return sending;
  }

  /** Opens a session of its own (connect, EHLO, STARTTLS, AUTH) and closes it again. */
  async verify(): Promise<void> {
    const lane = await this.connect();
    lane.close(true);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiting.splice(0)) waiter.reject(new Error('SMTP transport is closed'));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), this.settings.closeTimeoutMs);
    });
    const finished = Promise.allSettled([...this.inFlight]).then(() => false);
    const gaveUp = await Promise.race([finished, timedOut]);
    clearTimeout(timer);
    if (gaveUp) this.logger.warn(`closing the SMTP pool with ${this.inFlight.size} message(s) still in flight`);
    for (const lane of this.idle.splice(0)) lane.close(!gaveUp);
  }

  private async deliver(envelope: SmtpEnvelope, raw: Buffer, messageId: string, withdrawn?: () => boolean): Promise<SendOutcome> {
    if (withdrawn?.()) return WITHDRAWN;
    let lane: Lane;
    try {
      lane = await this.acquire();
    } catch (error) {
      // No session: the relay was not reached, or would not let us in. Nothing was judged.
      const { error: description } = classifySmtpError(error);
      this.logger.debug(`send of ${messageId} found no SMTP session: ${description}`);
      return { status: 'unreachable', error: description };
    }
    // Checked again with the connection in hand: the wait for it can be long behind a slow server.
    if (withdrawn?.()) {
      this.release(lane);
      return WITHDRAWN;
    }
    try {
      const response = await lane.send(envelope, raw, this.settings.messageDeadlineMs);
      this.release(lane);
      return { status: 'sent', response };
    } catch (error) {
      const { code, responseCode, afterFinalDot } = error as NodemailerError;
      const sessionIntact = code !== undefined && MESSAGE_REFUSALS.has(code) && responseCode !== 421 && (await lane.reset());
      if (sessionIntact) this.release(lane);
      else this.discard(lane);
      return this.failed(error, messageId, afterFinalDot === true);
    }
  }

  private failed(error: unknown, messageId: string, afterFinalDot: boolean): SendOutcome {
    const outcome = afterFinalDot ? classifyAfterFinalDot(error) : classifySmtpError(error);
    this.logger.debug(`send of ${messageId} failed (${outcome.status}): ${outcome.error}`);
    return outcome;
  }

  /** An idle live session, a new one while under the limit, or the next one released. */
  private async acquire(): Promise<Lane> {
    for (let lane = this.idle.pop(); lane; lane = this.idle.pop()) {
      clearTimeout(lane.idleTimer);
      if (!lane.dead) return lane;
      this.open -= 1;
    }
    if (this.open < this.settings.maxConnections) {
      this.open += 1;
      try {
        return await this.connect();
      } catch (error) {
        this.open -= 1;
        // The slot is free again: someone queued behind this attempt gets to try too.
        this.handOnSlot();
        throw error;
      }
    }
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private release(lane: Lane): void {
    if (lane.dead || this.closed) {
      this.discard(lane, !lane.dead);
      return;
    }
    const next = this.waiting.shift();
    if (next) {
      next.resolve(lane);
      return;
    }
    lane.idleTimer = setTimeout(() => {
      const at = this.idle.indexOf(lane);
      if (at === -1) return;
      this.idle.splice(at, 1);
      this.open -= 1;
      lane.close(true);
    }, this.settings.idleTimeoutMs);
    lane.idleTimer.unref();
    this.idle.push(lane);
  }

  private discard(lane: Lane, graceful = false): void {
    lane.close(graceful);
    this.open -= 1;
    this.handOnSlot();
  }

  /** A connection slot came free while senders wait: the first of them opens a session. */
  private handOnSlot(): void {
    const next = this.waiting.shift();
    if (next) this.acquire().then(next.resolve, next.reject);
  }

  private connect(): Promise<Lane> {
    const connection = new SMTPConnection(this.connectionOptions);
    return new Promise((resolve, reject) => {
      const fail = (error: Error) => {
        connection.close();
        reject(error);
      };
      connection.once('error', fail);
      connection.connect((error?: Error | null) => {
        if (error) return fail(error);
        const ready = () => {
          connection.removeListener('error', fail);
          resolve(new Lane(connection));
        };
        if (!this.auth) return ready();
        connection.login(this.auth, (error) => (error ? fail(error) : ready()));
      });
    });
  }
}
