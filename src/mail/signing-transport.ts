import { Logger } from '@nestjs/common';
import { MailTransport, SendOutcome, SmtpEnvelope } from './mail-transport';
import { DkimSigner } from './dkim-signer';

/**
 * Signs every message on its way out, whatever composed it: the one door all mail leaves
 * through is the one place a kind of email cannot be forgotten. Signed per attempt, so a
 * retry carries a fresh t= over the same headers and body.
 */
export class SigningTransport implements MailTransport {
  private readonly logger = new Logger(SigningTransport.name);

  constructor(
    private readonly inner: MailTransport,
    private readonly signer: DkimSigner,
  ) {}

  async send(envelope: SmtpEnvelope, raw: Buffer, messageId: string, withdrawn?: () => boolean): Promise<SendOutcome> {
    if (withdrawn?.()) return { status: 'withdrawn' };
    let signed: Buffer;
    try {
      signed = await this.signer.sign(raw);
    } catch (error) {
      // Sending it unsigned would be junked by the big mailbox providers: held back and retried instead.
      this.logger.error({ messageId, err: (error as Error).message, msg: 'DKIM signing failed' });
      return { status: 'transient', error: 'DKIM signing failed' };
    }
    return this.inner.send(envelope, signed, messageId, withdrawn);
  }

  verify(): Promise<void> {
    return this.inner.verify();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
