import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

/** One line of a benchmark's table: column → value. */
export type BenchRow = Record<string, string | number>;

/** What bench/run.ts expects of bench/<name>/index.ts. */
export interface BenchModule {
  run(): Promise<BenchRow[]>;
}

export const RESULTS_DIR = join(__dirname, '..', 'results');

/** Writes bench/results/<name>.json with the machine it ran on. */
export function writeBenchResult(name: string, result: object): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}.json`);
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version };
  writeFileSync(file, `${JSON.stringify({ name, at: new Date().toISOString(), machine, ...result }, null, 2)}\n`);
  return file;
}

/** Milliseconds on the wall clock, comparable between processes on one machine. */
export function wallClock(): number {
  return performance.timeOrigin + performance.now();
}

export function round(value: number, digits = 0): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** A positive integer from the environment, or the default; anything else is an error, not a silent default. */
export function positiveIntFromEnv(name: string, fallback: number, env = process.env): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return value;
}
