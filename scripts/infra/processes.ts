import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface DetachedProcess {
  command: string;
  args: string[];
  cwd: string;
  pidFile: string;
  logFile: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Starts a process in its own session so it outlives the caller (infra:up exits,
 * a Jest worker ends), with stdout and stderr appended to logFile.
 */
export function spawnDetached(spec: DetachedProcess): number {
  mkdirSync(dirname(spec.pidFile), { recursive: true });
  mkdirSync(dirname(spec.logFile), { recursive: true });
  const log = openSync(spec.logFile, 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      detached: true,
      stdio: ['ignore', log, log],
    });
    if (child.pid === undefined) throw new Error(`could not start ${spec.command}`);
    child.unref();
    writeFileSync(spec.pidFile, `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/** Alive and not a zombie waiting to be reaped by its parent. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/**
 * The pid recorded in pidFile, if that process is still ours: alive and its
 * command line contains marker (a path only our process uses). A pid file left
 * by a crash may name a recycled pid of somebody else's process; that one is
 * never returned, so it is never signalled.
 */
export function ownedPid(pidFile: string, marker: string): number | undefined {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10);
  } catch {
    return undefined;
  }
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && commandLine(pid).includes(marker)) return pid;
  rmSync(pidFile, { force: true });
  return undefined;
}

export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
  return true;
}

/**
 * Stops the process recorded in pidFile if it is ours: the given signal, then
 * SIGKILL when it outlives graceMs. Returns the pid it stopped, if any.
 */
export async function stopOwnedProcess(
  pidFile: string,
  marker: string,
  options: { signal?: NodeJS.Signals; graceMs?: number } = {},
): Promise<number | undefined> {
  const pid = ownedPid(pidFile, marker);
  if (pid === undefined) return undefined;
  process.kill(pid, options.signal ?? 'SIGTERM');
  if (!(await waitForExit(pid, options.graceMs ?? 30_000))) {
    process.kill(pid, 'SIGKILL');
    await waitForExit(pid, 10_000);
  }
  rmSync(pidFile, { force: true });
  return pid;
}

/** The last lines of a log file, to explain a process that died on start. */
export function logTail(logFile: string, lines = 20): string {
  try {
    return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
