import { demoStateDir } from './settings';
import { stopService } from './service-process';
import { stopPushService } from './demo-push';

/** npm run demo:stop — stops the service and the push service `npm run demo` left running, and only those (their pid files). */
async function main(): Promise<void> {
  const stateDir = demoStateDir();
  const pid = await stopService(stateDir);
  console.log(pid === undefined ? `no demo service is running (no live pid in ${stateDir}/service.pid)` : `stopped the demo service (pid ${pid})`);
  const pushPid = await stopPushService(stateDir);
  if (pushPid !== undefined) console.log(`stopped the demo push service (pid ${pushPid})`);
  console.log('the infrastructure keeps running; npm run infra:down stops it');
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
