import { spawn } from 'node:child_process';
import { REPO_ROOT } from '../infra/paths';

/** Numbered steps with their duration: the demo's output reads as a log of what happened. */
export class Steps {
  private index = 0;

  constructor(private readonly total: number) {}

  async run<T>(title: string, work: () => Promise<T>): Promise<T> {
    this.index += 1;
    const started = Date.now();
    console.log(`\n[${this.index}/${this.total}] ${title}`);
    const result = await work();
    console.log(`      done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return result;
  }

  skip(title: string, why: string): void {
    this.index += 1;
    console.log(`\n[${this.index}/${this.total}] ${title}: skipped (${why})`);
  }
}

export function say(line: string): void {
  console.log(`      ${line}`);
}

/** Runs an npm script from the repository root, its output indented under the step; rejects on a non-zero exit. */
export function npmRun(script: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', script], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const indent = (chunk: Buffer, to: NodeJS.WriteStream) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        // npm's own warnings about the machine's npmrc are not the demo's business.
        if (line.trim() !== '' && !line.startsWith('npm warn')) to.write(`      ${line}\n`);
      }
    };
    child.stdout.on('data', (chunk: Buffer) => indent(chunk, process.stdout));
    child.stderr.on('data', (chunk: Buffer) => indent(chunk, process.stderr));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`npm run ${script} exited with ${code}`))));
  });
}
