import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive } from './processes';

function tryAcquire(path: string): boolean {
  try {
    writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  // A lock whose holder died (kill -9, Ctrl-C mid-start) would block everyone forever.
  try {
    const holder = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    // Empty: the holder is between creating the file and writing its pid, unless that was long ago.
    const stale = Number.isInteger(holder) ? !isAlive(holder) : Date.now() - statSync(path).mtimeMs > 5000;
    if (stale) rmSync(path, { force: true });
  } catch {
    // Released between our attempt and the read: just try again.
  }
  return false;
}

/**
 * Runs fn while holding an exclusive lock file, so that infra:up and test runs
 * started at the same time (several engineers share one machine) do not both
 * fetch jars, format a data folder or start a broker on the same ports.
 */
export async function withFileLock<T>(path: string, fn: () => Promise<T>, timeoutMs = 300_000): Promise<T> {
  mkdirSync(dirname(path), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  while (!tryAcquire(path)) {
    if (Date.now() >= deadline) throw new Error(`timed out waiting for lock ${path}`);
    await sleep(250);
  }
  try {
    return await fn();
  } finally {
    rmSync(path, { force: true });
  }
}
