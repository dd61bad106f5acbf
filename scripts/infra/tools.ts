import { spawn, spawnSync } from 'node:child_process';

/** A missing prerequisite, reported as one line without a stack trace. */
export class MissingToolError extends Error {}

export function requireTool(command: string, versionArgs: string[], hint: string): void {
  const result = spawnSync(command, versionArgs, { stdio: 'ignore' });
  if (result.error) throw new MissingToolError(`${command} not found on PATH: ${hint}`);
}

export interface RunResult {
  status: number | null;
  output: string;
}

/** Runs a command to completion without blocking the event loop (other services start meanwhile). */
export function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, output }));
  });
}
