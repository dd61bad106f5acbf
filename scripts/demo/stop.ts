import { demoStateDir } from './settings';
import { stopService } from './service-process';

/** npm run demo:stop — stops the service `npm run demo` left running, and only that (its pid file). */
async function main(): Promise<void> {
  const stateDir = demoStateDir();
  const pid = await stopService(stateDir);
  console.log(pid === undefined ? `no demo service is running (no live pid in ${stateDir}/service.pid)` : `stopped the demo service (pid ${pid})`);
  console.log('the infrastructure keeps running; npm run infra:down stops it');
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
