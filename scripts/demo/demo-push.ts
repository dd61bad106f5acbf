import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateVAPIDKeys } from 'web-push';
import { isPortOpen } from '../infra/net';
import { REPO_ROOT } from '../infra/paths';
import { isAlive, logTail, ownedPid, spawnDetached, stopOwnedProcess } from '../infra/processes';
import { aBrowserKeyPair, selfSignedCertificate } from '../push-service/web-push-receiver';
import { pushServiceFiles, ReceivedDemoPush, StoredBrowsers } from './local-push-service';

const MARKER = `${REPO_ROOT}/`;
const ENTRY = join(__dirname, 'local-push-service.ts');
const SWC_HOOK = join(__dirname, '..', 'swc-register.js');

/** The demo's web push: a local push service, the service's VAPID keys, and what the service needs to reach it. */
export interface DemoPush {
  dir: string;
  port: number;
  origin: string;
  vapidPublicKey: string;
  /** Added to the service's environment: VAPID_*, PUSH_ENDPOINT_HOSTS with the loopback address, NODE_EXTRA_CA_CERTS. */
  serviceEnv: NodeJS.ProcessEnv;
}

export function demoPushDir(stateDir: string): string {
  return join(stateDir, 'push');
}

/**
 * Makes what the service must be started with: a certificate for the local push service
 * (new each run; the service is restarted each run too, trusting it through
 * NODE_EXTRA_CA_CERTS, as an operator would add a private CA), and VAPID keys — the
 * environment's if set, else a pair made once, as `npm run dispatch -- push:keys` makes
 * it, and kept in the state directory so earlier runs' subscriptions stay valid.
 * DEMO_PUSH_PORT: the push service's port (default: PORT + 443, so 3443).
 */
export function prepareDemoPush(stateDir: string, env: NodeJS.ProcessEnv): DemoPush {
  const dir = demoPushDir(stateDir);
  mkdirSync(dir, { recursive: true });
  const files = pushServiceFiles(dir);
  const { key, cert } = selfSignedCertificate();
  writeFileSync(files.key, key, { mode: 0o600 });
  writeFileSync(files.cert, cert);
  let trusted = files.cert;
  if (env.NODE_EXTRA_CA_CERTS) {
    trusted = join(dir, 'extra-ca-certs.pem');
    writeFileSync(trusted, `${readFileSync(env.NODE_EXTRA_CA_CERTS, 'utf8').trimEnd()}\n${cert}`);
  }
  const vapid = env.VAPID_PUBLIC_KEY && env.VAPID_PRIVATE_KEY && env.VAPID_SUBJECT ? { publicKey: env.VAPID_PUBLIC_KEY, privateKey: env.VAPID_PRIVATE_KEY } : storedVapidKeys(dir);
  const port = Number(env.DEMO_PUSH_PORT || Number(env.PORT || '3000') + 443);
  return {
    dir,
    port,
    origin: `https://127.0.0.1:${port}`,
    vapidPublicKey: vapid.publicKey,
    serviceEnv: {
      VAPID_PUBLIC_KEY: vapid.publicKey,
      VAPID_PRIVATE_KEY: vapid.privateKey,
      VAPID_SUBJECT: env.VAPID_SUBJECT || 'mailto:news@localhost',
      PUSH_ENDPOINT_HOSTS: env.PUSH_ENDPOINT_HOSTS ? `${env.PUSH_ENDPOINT_HOSTS},127.0.0.1` : '127.0.0.1',
      NODE_EXTRA_CA_CERTS: trusted,
    },
  };
}

function storedVapidKeys(dir: string): { publicKey: string; privateKey: string } {
  const file = join(dir, 'vapid.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as { publicKey: string; privateKey: string };
  const { publicKey, privateKey } = generateVAPIDKeys();
  writeFileSync(file, `${JSON.stringify({ publicKey, privateKey }, null, 2)}\n`, { mode: 0o600 });
  return { publicKey, privateKey };
}

const pidFile = (dir: string) => join(dir, 'push-service.pid');
export const pushServiceLog = (dir: string) => join(dir, 'push-service.log');

/** Starts the local push service detached (it outlives the demo, like the service), after stopping an earlier one. */
export async function startPushService(push: DemoPush): Promise<number> {
  await stopOwnedProcess(pidFile(push.dir), MARKER, { signal: 'SIGTERM', graceMs: 5000 });
  if (await isPortOpen('127.0.0.1', push.port)) {
    throw new Error(`port ${push.port} (the demo's push service) is taken by another process; stop it or run the demo with DEMO_PUSH_PORT=<another port>`);
  }
  const logFile = pushServiceLog(push.dir);
  const pid = spawnDetached({
    command: process.execPath,
    args: ['-r', SWC_HOOK, ENTRY],
    cwd: REPO_ROOT,
    env: { ...process.env, DEMO_PUSH_DIR: push.dir, DEMO_PUSH_PORT: String(push.port), VAPID_PUBLIC_KEY: push.vapidPublicKey },
    pidFile: pidFile(push.dir),
    logFile,
  });
  const deadline = Date.now() + 30_000;
  while (!(await isPortOpen('127.0.0.1', push.port))) {
    if (!isAlive(pid)) throw new Error(`the push service exited during start-up; ${logFile}:\n${logTail(logFile)}`);
    if (Date.now() > deadline) throw new Error(`the push service did not listen on ${push.port} within 30 s; ${logFile}:\n${logTail(logFile)}`);
    await sleep(200);
  }
  return pid;
}

export function stopPushService(stateDir: string): Promise<number | undefined> {
  return stopOwnedProcess(pidFile(demoPushDir(stateDir)), MARKER, { signal: 'SIGTERM', graceMs: 5000 });
}

export function runningPushService(stateDir: string): number | undefined {
  return ownedPid(pidFile(demoPushDir(stateDir)), MARKER);
}

/**
 * A browser as it subscribes to push: a P-256 key pair and a 16-byte auth secret, and an
 * endpoint on the push service. Its keys are stored for the push service to decrypt with.
 */
export function aDemoBrowser(push: DemoPush, name: string): { endpoint: string; keys: { p256dh: string; auth: string } } {
  const { ecdh, p256dh, auth } = aBrowserKeyPair();
  const files = pushServiceFiles(push.dir);
  const stored: StoredBrowsers = existsSync(files.browsers) ? (JSON.parse(readFileSync(files.browsers, 'utf8')) as StoredBrowsers) : {};
  stored[name] = { privateKey: ecdh.getPrivateKey().toString('base64url'), auth };
  writeFileSync(files.browsers, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  return { endpoint: `${push.origin}/push/${name}`, keys: { p256dh, auth } };
}

/** Waits for the push service to have received (and decrypted) the alert's push to `browser`. */
export async function waitForPush(push: DemoPush, browser: string, alertId: string, timeoutMs = 120_000): Promise<ReceivedDemoPush> {
  const file = pushServiceFiles(push.dir).received;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
    const found = lines.map((line) => JSON.parse(line) as ReceivedDemoPush).find((each) => each.browser === browser && 'alertId' in each.payload && each.payload.alertId === alertId);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no push of alert ${alertId} reached ${browser} within ${timeoutMs / 1000} s; see ${pushServiceLog(push.dir)}`);
    await sleep(300);
  }
}
