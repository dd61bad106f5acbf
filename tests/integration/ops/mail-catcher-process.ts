import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../../scripts/infra/net';
import { REPO_ROOT } from '../../../scripts/infra/paths';

const BIN = join(REPO_ROOT, 'node_modules', 'maildev', 'dist', 'bin', 'maildev.js');

/**
 * A maildev of the test's own on free ports — the catcher `npm run demo` reads
 * through its REST API — so the demo can run inside the suite without touching
 * the shared one on 1025/1080.
 */
export class MailCatcherProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly smtpUrl: string,
    readonly webUrl: string,
  ) {}

  static async start(timeoutMs = 60_000): Promise<MailCatcherProcess> {
    const [smtpPort, webPort] = [await freePort(), await freePort()];
    const dir = mkdtempSync(join(tmpdir(), 'dispatch-ops-maildev-'));
    const child = spawn(
      process.execPath,
      [BIN, '--smtp', String(smtpPort), '--ip', '127.0.0.1', '--web', String(webPort), '--web-ip', '127.0.0.1', '--mail-directory', dir, '--silent'],
      { stdio: 'ignore' },
    );
    const catcher = new MailCatcherProcess(child, dir, `smtp://127.0.0.1:${smtpPort}`, `http://127.0.0.1:${webPort}`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        if ((await fetch(`${catcher.webUrl}/api/healthz`, { signal: AbortSignal.timeout(2000) })).ok) return catcher;
      } catch {
        // not listening yet
      }
      if (child.exitCode !== null || Date.now() > deadline) {
        await catcher.stop();
        throw new Error(`maildev did not start on ${catcher.webUrl}`);
      }
      await sleep(250);
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
