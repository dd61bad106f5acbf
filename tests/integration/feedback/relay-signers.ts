import { execFileSync } from 'node:child_process';
import { createHmac, createPrivateKey, generateKeyPairSync, KeyObject, sign } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, Server } from 'node:https';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The relays' side of their webhooks, with keys the test makes: payloads signed exactly as
 * SNS, SendGrid and Mailgun sign them.
 */

/** A self-signed X.509 certificate for 127.0.0.1, made with the openssl CLI (node:crypto cannot issue certificates). */
export function aCertificate(): { certPem: string; keyPem: string } {
  const dir = mkdtempSync(join(tmpdir(), 'dispatch-sns-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
  ], { stdio: 'ignore' });
  return { certPem: readFileSync(join(dir, 'cert.pem'), 'utf8'), keyPem: readFileSync(join(dir, 'key.pem'), 'utf8') };
}

/**
 * Plays Amazon SNS on loopback: serves its signing certificate over https (as SNS does at
 * SigningCertURL), signs messages with its key, and records visits to SubscribeURL.
 */
export class FakeSns {
  readonly confirmations: string[] = [];
  private readonly key: KeyObject;

  private constructor(
    private readonly server: Server,
    readonly certPem: string,
    keyPem: string,
  ) {
    this.key = createPrivateKey(keyPem);
  }

  static async start(): Promise<FakeSns> {
    const { certPem, keyPem } = aCertificate();
    let sns: FakeSns | undefined;
    const server = createServer({ cert: certPem, key: keyPem }, (req, res) => {
      if (req.url?.endsWith('.pem')) {
        res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(certPem);
        return;
      }
      if (req.url?.startsWith('/confirm')) sns?.confirmations.push(req.url);
      res.writeHead(200).end('<ConfirmSubscriptionResponse/>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    sns = new FakeSns(server, certPem, keyPem);
    return sns;
  }

  get host(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** An SNS message (Notification or SubscriptionConfirmation) signed as SNS signs them (SignatureVersion 1: SHA1withRSA, 2: SHA256withRSA). */
  message(topicArn: string, fields: { Type: string; Message: string; MessageId?: string; Token?: string }, version: '1' | '2' = '1'): Record<string, string> {
    const message: Record<string, string> = {
      Type: fields.Type,
      MessageId: fields.MessageId ?? `sns-${Math.random().toString(36).slice(2)}`,
      TopicArn: topicArn,
      Message: fields.Message,
      Timestamp: new Date().toISOString(),
      SignatureVersion: version,
      SigningCertURL: `https://${this.host}/SimpleNotificationService-test.pem`,
    };
    if (fields.Type === 'SubscriptionConfirmation') {
      message.Token = fields.Token ?? 'token-1';
      message.SubscribeURL = `https://${this.host}/confirm?Action=ConfirmSubscription&Token=${message.Token}`;
    }
    const keys = fields.Type === 'Notification' ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
    const signed = keys.filter((key) => key in message).map((key) => `${key}\n${message[key]}\n`).join('');
    message.Signature = sign(version === '1' ? 'RSA-SHA1' : 'RSA-SHA256', Buffer.from(signed, 'utf8'), this.key).toString('base64');
    return message;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** SendGrid's Event Webhook signing: ECDSA P-256 with SHA-256 over timestamp + payload, DER, base64. */
export class SendgridSigner {
  private readonly pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  /** As SendGrid shows the verification key: base64 DER. */
  readonly publicKey = this.pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');

  headers(payload: string, timestamp = String(Math.floor(Date.now() / 1000))): Record<string, string> {
    const signature = sign('sha256', Buffer.from(timestamp + payload, 'utf8'), this.pair.privateKey).toString('base64');
    return { 'X-Twilio-Email-Event-Webhook-Signature': signature, 'X-Twilio-Email-Event-Webhook-Timestamp': timestamp, 'content-type': 'application/json' };
  }
}

/** Mailgun's webhook signature: HMAC-SHA256 of timestamp + token with the signing key, hex. */
export function mailgunSignature(signingKey: string, timestamp = Math.floor(Date.now() / 1000), token = Math.random().toString(36).slice(2).padEnd(50, '0')) {
  return { timestamp: String(timestamp), token, signature: createHmac('sha256', signingKey).update(`${timestamp}${token}`).digest('hex') };
}
