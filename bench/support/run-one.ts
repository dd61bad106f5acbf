import { join } from 'node:path';
import type { BenchModule, BenchRow } from './bench-result';

/**
 * Child process of bench/run.ts: runs one benchmark (bench/<name>/index.ts) and
 * sends its rows back over IPC. Exits hard when done, so a handle a benchmark
 * forgot to close cannot keep it alive.
 */
export type RunOneReply = { type: 'rows'; rows: BenchRow[] };

async function main(name: string): Promise<void> {
  const bench = require(join(__dirname, '..', name, 'index.ts')) as Partial<BenchModule>;
  if (typeof bench.run !== 'function') throw new Error(`bench/${name}/index.ts exports no run()`);
  const rows = await bench.run();
  await new Promise<void>((resolve) => process.send?.({ type: 'rows', rows } satisfies RunOneReply, () => resolve()));
}

if (require.main === module) {
  main(process.argv[2]).then(
    () => process.exit(0),
    (error: Error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
