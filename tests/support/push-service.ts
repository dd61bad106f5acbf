import { createECDH, ECDH, randomBytes } from 'node:crypto';
import { createServer, Server } from 'node:https';
import { Agent } from 'node:https';
import type { AddressInfo } from 'node:net';
import { aBrowserKeyPair, decryptPush, selfSignedCertificate, VapidClaims, verifyVapid } from '../../scripts/push-service/web-push-receiver';
import type { ExpectedEmail, LedgerReceived } from './ledger';

/** One push as the test push service received it, decrypted with the browser's keys. */
export interface ReceivedPush {
  /** The browser it was for (the last path segment of its endpoint). */
  browser: string;
  at: number;
  headers: Record<string, string | string[] | undefined>;
  /** The decrypted payload, or why it could not be decrypted. */
  payload: unknown;
  /** The VAPID JWT's claims, when its signature verified against `vapidPublicKey`; null otherwise. */
  vapid: VapidClaims | null;
  /** The answer the service gave it. */
  status: number;
}

/** A browser as the push service sees it: keys made the way a browser makes them (P-256 + 16-byte auth secret). */
export interface TestBrowser {
  name: string;
  /** Set by the test once Dispatch answered its subscription: what the ledger names its pushes by. */
  subscriptionId?: string;
  ecdh: ECDH;
  subscription: { endpoint: string; keys: { p256dh: string; auth: string } };
}

type Answer = { status: number; headers?: Record<string, string> };

/**
 * A Web Push protocol endpoint (RFC 8030) on loopback over HTTPS, with a self-signed
 * certificate made for the run. It decrypts every push (RFC 8291, aes128gcm) with the
 * receiving browser's private key and checks the VAPID JWT (RFC 8292) against the key
 * the service is configured with. Answers can be scripted per browser (404, 410, 429 …).
 */
export class TestPushService {
  readonly received: ReceivedPush[] = [];
  private readonly browsers = new Map<string, TestBrowser>();
  private readonly scripts = new Map<string, Answer[]>();
  private nextBrowser = 0;

  private constructor(
    private readonly server: Server,
    readonly origin: string,
    /** Trusts this service's certificate only: what the app under test sends pushes through. */
    readonly agent: Agent,
    private readonly vapidPublicKey: string,
  ) {}

  static async start(vapidPublicKey: string): Promise<TestPushService> {
    const { key, cert } = selfSignedCertificate();
    let service: TestPushService | undefined;
    const server = createServer({ key, cert }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const answer = service?.record(req.url ?? '', req.headers, Buffer.concat(chunks)) ?? { status: 500 };
        res.writeHead(answer.status, answer.headers).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    service = new TestPushService(server, origin, new Agent({ ca: cert, keepAlive: true }), vapidPublicKey);
    return service;
  }

  /** A new browser with its own keys and endpoint on this service. */
  browser(): TestBrowser {
    const { ecdh, p256dh, auth } = aBrowserKeyPair();
    const name = `b${++this.nextBrowser}-${randomBytes(4).toString('hex')}`;
    const browser = { name, ecdh, subscription: { endpoint: `${this.origin}/push/${name}`, keys: { p256dh, auth } } };
    this.browsers.set(name, browser);
    return browser;
  }

  /**
   * A browser whose keys were made elsewhere (in a real browser page, with WebCrypto):
   * `privateKey` is the P-256 private scalar (JWK "d", base64url), `name` the last
   * segment of the endpoint it subscribed with. Its pushes are then decrypted like any other.
   */
  adopt(name: string, privateKey: string, subscription: TestBrowser['subscription']): TestBrowser {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(Buffer.from(privateKey, 'base64url'));
    if (ecdh.getPublicKey().toString('base64url') !== subscription.keys.p256dh) throw new Error('the private key does not match p256dh');
    if (subscription.endpoint !== `${this.origin}/push/${name}`) throw new Error(`${subscription.endpoint} is not an endpoint of this service`);
    const browser = { name, ecdh, subscription };
    this.browsers.set(name, browser);
    return browser;
  }

  /** The next answers for `browser`, in order; after them, 201. */
  answer(browser: TestBrowser, ...answers: Answer[]): void {
    this.scripts.set(browser.name, answers);
  }

  pushesTo(browser: TestBrowser): ReceivedPush[] {
    return this.received.filter((push) => push.browser === browser.name);
  }

  /**
   * The pushes this service accepted (2xx) for `alertId`, as the ledger reads received
   * messages: Message-ID = the outbox row's (`<push.{alert}.{subscription}@host>`),
   * recipient = the browser's ledger address. A push whose payload did not decrypt or
   * names another alert is not one of them.
   */
  ledgerReceived(alertId: string, messageHost: string): LedgerReceived[] {
    return this.received.flatMap((push) => {
      const browser = this.browsers.get(push.browser);
      const payload = push.payload as { alertId?: unknown } | null;
      if (!browser || push.status >= 300 || payload?.alertId !== alertId) return [];
      return [{ envelope: { from: 'push', to: [ledgerAddress(browser)] }, messageId: `<push.${alertId}.${browser.subscriptionId ?? '(not subscribed)'}@${messageHost}>` }];
    });
  }

  async close(): Promise<void> {
    this.agent.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private record(url: string, headers: ReceivedPush['headers'], body: Buffer): Answer {
    const name = url.split('/').pop() ?? '';
    const browser = this.browsers.get(name);
    const answer = this.scripts.get(name)?.shift() ?? { status: browser ? 201 : 404 };
    this.received.push({
      browser: name,
      at: Date.now(),
      headers,
      payload: browser ? decryptPayload(browser, body) : null,
      vapid: verifyVapid(headers.authorization, this.vapidPublicKey),
      status: answer.status,
    });
    return answer;
  }
}

/** A browser's stand-in address in the ledger. */
export function ledgerAddress(browser: TestBrowser): string {
  return `${browser.name}@push.invalid`;
}

/** One push of `alertId` to each browser, for Ledger.expect(). */
export function pushesTo(browsers: readonly TestBrowser[], alertId: string): ExpectedEmail[] {
  return browsers.map((browser) => ({ to: ledgerAddress(browser), kind: 'push', about: alertId }));
}

function decryptPayload(browser: TestBrowser, body: Buffer): unknown {
  try {
    return JSON.parse(decryptPush(body, { ecdh: browser.ecdh, auth: browser.subscription.keys.auth }));
  } catch (error) {
    return { undecryptable: (error as Error).message };
  }
}

/** The service's configuration for pushing to a TestPushService on loopback with `vapid`'s keys. */
export function loopbackPushEnv(vapid: { publicKey: string; privateKey: string }, subject = 'mailto:ops@news.example.com'): Record<string, string> {
  return { VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: vapid.privateKey, VAPID_SUBJECT: subject, PUSH_ENDPOINT_HOSTS: '127.0.0.1' };
}
