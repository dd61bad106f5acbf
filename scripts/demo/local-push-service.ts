import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { join } from 'node:path';
import { browserKeysFrom, BrowserKeys, decryptPush, verifyVapid } from '../push-service/web-push-receiver';

/**
 * The demo's push service: a Web Push endpoint (RFC 8030) on loopback over HTTPS, as
 * FCM or Mozilla's would be for a real browser, started detached by `npm run demo` and
 * stopped by `npm run demo:stop`. A push to `/push/{browser}` for a browser the demo
 * made (browsers.json in its directory: the browser's private key and auth secret) is
 * decrypted, its VAPID JWT checked against VAPID_PUBLIC_KEY, and appended to
 * received.jsonl; it answers 201. Any other endpoint answers 410 Gone, as a push
 * service does for a subscription that no longer exists, so Dispatch prunes it.
 *
 * Environment: DEMO_PUSH_DIR (cert.pem, key.pem, browsers.json, received.jsonl),
 * DEMO_PUSH_PORT, VAPID_PUBLIC_KEY.
 */

export interface ReceivedDemoPush {
  browser: string;
  at: string;
  ttl: string | undefined;
  urgency: string | undefined;
  topic: string | undefined;
  /** The VAPID JWT verified against the service's public key, and its claims. */
  vapid: { aud: string; exp: number; sub: string } | null;
  payload: { alertId?: string; title?: string; body?: string; url?: string } | { undecryptable: string };
}

export type StoredBrowsers = Record<string, { privateKey: string; auth: string }>;

export const pushServiceFiles = (dir: string) => ({
  cert: join(dir, 'cert.pem'),
  key: join(dir, 'key.pem'),
  browsers: join(dir, 'browsers.json'),
  received: join(dir, 'received.jsonl'),
});

function main(): void {
  const dir = process.env.DEMO_PUSH_DIR as string;
  const port = Number(process.env.DEMO_PUSH_PORT);
  const vapidPublicKey = process.env.VAPID_PUBLIC_KEY as string;
  const files = pushServiceFiles(dir);
  const browsers = new Map<string, BrowserKeys>();
  /** The demo adds browsers while this runs: read the file again for a name not seen yet. */
  const browser = (name: string): BrowserKeys | undefined => {
    if (!browsers.has(name) && existsSync(files.browsers)) {
      const stored = JSON.parse(readFileSync(files.browsers, 'utf8')) as StoredBrowsers;
      for (const [each, keys] of Object.entries(stored)) if (!browsers.has(each)) browsers.set(each, browserKeysFrom(keys.privateKey, keys.auth));
    }
    return browsers.get(name);
  };

  const server = createServer({ cert: readFileSync(files.cert), key: readFileSync(files.key) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const match = /^\/push\/([\w-]+)$/.exec(req.url ?? '');
      const keys = match && req.method === 'POST' ? browser(match[1]) : undefined;
      if (!match || !keys) {
        res.writeHead(410).end();
        return;
      }
      let payload: ReceivedDemoPush['payload'];
      try {
        payload = JSON.parse(decryptPush(Buffer.concat(chunks), keys)) as ReceivedDemoPush['payload'];
      } catch (error) {
        payload = { undecryptable: (error as Error).message };
      }
      const received: ReceivedDemoPush = {
        browser: match[1],
        at: new Date().toISOString(),
        ttl: req.headers.ttl as string | undefined,
        urgency: req.headers.urgency as string | undefined,
        topic: req.headers.topic as string | undefined,
        vapid: verifyVapid(req.headers.authorization, vapidPublicKey),
        payload,
      };
      appendFileSync(files.received, `${JSON.stringify(received)}\n`);
      console.log(JSON.stringify({ msg: 'push received', ...received }));
      res.writeHead(201).end();
    });
  });
  server.listen(port, '127.0.0.1', () => console.log(JSON.stringify({ msg: 'push service listening', origin: `https://127.0.0.1:${port}` })));
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (require.main === module) main();
