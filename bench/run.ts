import { fork } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BenchRow, RESULTS_DIR, round } from './support/bench-result';
import type { RunOneReply } from './support/run-one';

/*
 * npm run bench [-- name …]
 *
 * Runs every benchmark, bench/<name>/index.ts exporting run(): Promise<BenchRow[]>,
 * or only those named (arguments or BENCH_ONLY=a,b). Each runs in a child process of
 * its own, one after the other, so one's memory, JIT state and open handles never
 * skew another's figures. Prints each table, then a summary; each benchmark writes
 * bench/results/<name>.json itself. Exits 1 if any benchmark failed.
 * BENCH_CPU_PROF=1 writes a V8 CPU profile of each to bench/results/profiles/.
 */

interface Outcome {
  name: string;
  ok: boolean;
  seconds: number;
  rows: BenchRow[];
}

function benchmarks(): string[] {
  return readdirSync(__dirname, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !['support', 'results'].includes(entry.name) && existsSync(join(__dirname, entry.name, 'index.ts')))
    .map((entry) => entry.name)
    .sort();
}

function selected(all: string[]): string[] {
  const wanted = [...process.argv.slice(2), ...(process.env.BENCH_ONLY ?? '').split(',')].map((name) => name.trim()).filter(Boolean);
  if (wanted.length === 0) return all;
  const unknown = wanted.filter((name) => !all.includes(name));
  if (unknown.length > 0) throw new Error(`unknown benchmark(s): ${unknown.join(', ')}; there are: ${all.join(', ')}`);
  return all.filter((name) => wanted.includes(name));
}

function runOne(name: string): Promise<Outcome> {
  const started = performance.now();
  const execArgv = ['-r', join(__dirname, '..', 'scripts', 'swc-register.js')];
  if (process.env.BENCH_CPU_PROF === '1') {
    const dir = join(RESULTS_DIR, 'profiles');
    mkdirSync(dir, { recursive: true });
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}.cpuprofile`);
  }
  const child = fork(join(__dirname, 'support', 'run-one.ts'), [name], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let rows: BenchRow[] = [];
  child.on('message', (reply: RunOneReply) => {
    if (reply.type === 'rows') rows = reply.rows;
  });
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve({ name, ok: code === 0, seconds: round((performance.now() - started) / 1000, 1), rows }));
  });
}

async function main(): Promise<void> {
  const names = selected(benchmarks());
  const outcomes: Outcome[] = [];
  for (const name of names) {
    console.log(`\n=== bench/${name} ===`);
    const outcome = await runOne(name);
    outcomes.push(outcome);
    if (outcome.rows.length > 0) console.table(outcome.rows);
    if (!outcome.ok) console.error(`bench/${name} failed`);
  }
  console.log('\n=== summary ===');
  console.table(outcomes.map(({ name, ok, seconds, rows }) => ({ bench: name, result: ok ? 'ok' : 'FAILED', seconds, rows: rows.length })));
  console.log(`results: ${RESULTS_DIR}`);
  if (outcomes.some((outcome) => !outcome.ok)) process.exitCode = 1;
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exitCode = 1;
});
