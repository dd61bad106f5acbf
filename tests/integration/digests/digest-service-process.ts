import { loadConfig } from '../../../src/config/config';
import { createApp } from '../../../src/main';

/**
 * The whole service as a process of its own, for tests that kill it: configured from
 * the environment its parent gives it, it tells the parent over IPC once it listens.
 * Run with `node -r scripts/swc-register.js` (Nest needs SWC's decorator metadata).
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const app = await createApp(config);
  await app.listen(config.port, '127.0.0.1');
  process.send?.({ type: 'ready' });
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
