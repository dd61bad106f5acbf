import { writeFileSync, mkdirSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { RESULTS_DIR } from './bench-result';

/**
 * A V8 CPU profile of one phase of a benchmark (unlike node --cpu-prof, which covers
 * set-up and seeding too). Open the .cpuprofile in Chrome DevTools or VS Code.
 */
export class PhaseProfiler {
  private constructor(private readonly session: Session) {}

  /** Starts profiling when `enabled`; otherwise returns null and costs nothing. */
  static async start(enabled: boolean): Promise<PhaseProfiler | null> {
    if (!enabled) return null;
    const session = new Session();
    session.connect();
    const post = (method: string, params: object = {}) =>
      new Promise<void>((resolve, reject) => session.post(method, params, (error) => (error ? reject(error) : resolve())));
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: 500 });
    await post('Profiler.start');
    return new PhaseProfiler(session);
  }

  /** Stops and writes bench/results/profiles/<name>.cpuprofile; returns its path. */
  async stop(name: string): Promise<string> {
    const profile = await new Promise<object>((resolve, reject) =>
      this.session.post('Profiler.stop', (error, result) => (error ? reject(error) : resolve(result.profile))),
    );
    this.session.disconnect();
    const dir = join(RESULTS_DIR, 'profiles');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${name}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    return file;
  }
}
