import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO_ROOT } from '../infra/paths';
import { isAlive, logTail, ownedPid, spawnDetached, stopOwnedProcess } from '../infra/processes';

/** Both ways of running the service have the repository's path on their command line; a recycled pid does not. */
const MARKER = `${REPO_ROOT}/`;
const BUILT_ENTRY = join(REPO_ROOT, 'dist', 'main.js');
const SOURCE_ENTRY = join(REPO_ROOT, 'src', 'main.ts');
const SWC_HOOK = join(__dirname, '..', 'swc-register.js');

export interface ServiceFiles {
  pidFile: string;
  logFile: string;
}

export function serviceFiles(stateDir: string): ServiceFiles {
  return { pidFile: join(stateDir, 'service.pid'), logFile: join(stateDir, 'service.log') };
}

/** The command that runs the service: the build (`node dist/main.js`), or the sources through SWC. */
export function serviceCommand(fromSource: boolean): { command: string; args: string[] } {
  if (fromSource) return { command: process.execPath, args: ['-r', SWC_HOOK, SOURCE_ENTRY] };
  if (!existsSync(BUILT_ENTRY)) throw new Error(`${BUILT_ENTRY} is missing: run npm run build`);
  return { command: process.execPath, args: [BUILT_ENTRY] };
}

/** Starts the service detached (it outlives the demo), logging to the state directory. */
export function startService(stateDir: string, env: NodeJS.ProcessEnv, fromSource: boolean): number {
  const { pidFile, logFile } = serviceFiles(stateDir);
  return spawnDetached({ ...serviceCommand(fromSource), cwd: REPO_ROOT, env, pidFile, logFile });
}

export function runningService(stateDir: string): number | undefined {
  return ownedPid(serviceFiles(stateDir).pidFile, MARKER);
}

/** SIGTERM (the service drains and exits 0), SIGKILL only if it outlives its own 25 s shutdown limit. */
export function stopService(stateDir: string): Promise<number | undefined> {
  return stopOwnedProcess(serviceFiles(stateDir).pidFile, MARKER, { signal: 'SIGTERM', graceMs: 35_000 });
}

/** Waits for GET /health to answer 200; fails early, with the log's tail, if the process dies. */
export async function waitUntilHealthy(healthy: () => Promise<boolean>, pid: number, logFile: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await healthy())) {
    if (!isAlive(pid)) throw new Error(`the service exited during start-up; ${logFile}:\n${logTail(logFile)}`);
    if (Date.now() > deadline) throw new Error(`GET /health did not answer 200 within ${timeoutMs / 1000} s; ${logFile}:\n${logTail(logFile)}`);
    await sleep(500);
  }
}
