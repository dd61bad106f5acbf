import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { withFileLock } from './file-lock';
import { INFRA_DIR, REPO_ROOT } from './paths';
import { isPortOpen } from './net';
import { isAlive, logTail, ownedPid, spawnDetached, stopOwnedProcess } from './processes';

const HOST = '127.0.0.1';
export const MAIL_CATCHER = {
  smtpPort: 1025,
  webPort: 1080,
  smtpUrl: `smtp://${HOST}:1025`,
  webUrl: `http://${HOST}:1080`,
} as const;

const DIR = join(INFRA_DIR, 'maildev');
// Mail survives a restart of the catcher, and its path marks the process as ours.
const MAIL_DIR = join(DIR, 'mail');
const PID_FILE = join(DIR, 'maildev.pid');
const LOG_FILE = join(DIR, 'maildev.log');
const BIN = join(REPO_ROOT, 'node_modules', 'maildev', 'dist', 'bin', 'maildev.js');

export interface StartedMailCatcher {
  /** Undefined when something else already listens on the ports (not ours to stop). */
  pid?: number;
  started: boolean;
  smtpUrl: string;
  webUrl: string;
}

async function answersHttp(): Promise<boolean> {
  try {
    const response = await fetch(`${MAIL_CATCHER.webUrl}/api/healthz`, { signal: AbortSignal.timeout(2000) });
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * Starts maildev (SMTP on 1025, web UI on 1080) as a detached process unless
 * ours is running already, or another catcher holds the SMTP port already.
 */
export function startMailCatcher(timeoutMs = 30_000): Promise<StartedMailCatcher> {
  // Two infra:up runs at once must not both spawn one; the loser would die on the taken port.
  return withFileLock(join(DIR, 'start.lock'), () => startLocked(timeoutMs));
}

async function startLocked(timeoutMs: number): Promise<StartedMailCatcher> {
  const urls = { smtpUrl: MAIL_CATCHER.smtpUrl, webUrl: MAIL_CATCHER.webUrl };
  const running = ownedPid(PID_FILE, MAIL_DIR);
  if (running !== undefined) return { pid: running, started: false, ...urls };
  if (await isPortOpen(HOST, MAIL_CATCHER.smtpPort)) return { started: false, ...urls };
  if (!existsSync(BIN)) throw new Error(`maildev is not installed (${BIN}); run npm ci`);
  mkdirSync(MAIL_DIR, { recursive: true });
  const pid = spawnDetached({
    command: process.execPath,
    args: [
      BIN,
      '--smtp', String(MAIL_CATCHER.smtpPort),
      '--ip', HOST,
      '--web', String(MAIL_CATCHER.webPort),
      '--web-ip', HOST,
      '--mail-directory', MAIL_DIR,
      '--max-emails', '2000',
      // Its per-message log lines name the recipients; the web UI shows them anyway.
      '--silent',
    ],
    cwd: DIR,
    pidFile: PID_FILE,
    logFile: LOG_FILE,
  });
  const deadline = Date.now() + timeoutMs;
  while (!((await isPortOpen(HOST, MAIL_CATCHER.smtpPort)) && (await answersHttp()))) {
    if (!isAlive(pid)) throw new Error(`maildev exited during start-up; ${LOG_FILE}:\n${logTail(LOG_FILE)}`);
    if (Date.now() >= deadline) throw new Error(`maildev did not answer within ${timeoutMs / 1000} s`);
    await sleep(200);
  }
  return { pid, started: true, ...urls };
}

export function stopMailCatcher(): Promise<number | undefined> {
  return stopOwnedProcess(PID_FILE, MAIL_DIR, { graceMs: 10_000 });
}
