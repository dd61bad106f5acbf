import { DEFAULT_BROKER, stopKafkaBroker } from './kafka';
import { stopMailCatcher } from './mail-catcher';
import { stopPostgresIfStartedByUs } from './postgres';
import { reportStep } from './report';

// Only what infra:up started is stopped: each stop checks its pid file (or
// marker) and that the process is still the one we started.
async function main(): Promise<void> {
  const results = await Promise.all([
    reportStep('kafka', async () => {
      const pid = await stopKafkaBroker(DEFAULT_BROKER);
      return { address: `127.0.0.1:${DEFAULT_BROKER.port}`, note: pid ? `stopped (pid ${pid})` : 'nothing of ours running' };
    }),
    reportStep('mail', async () => {
      const pid = await stopMailCatcher();
      return { address: 'maildev', note: pid ? `stopped (pid ${pid})` : 'nothing of ours running' };
    }),
    reportStep('postgres', async () => {
      const versions = await stopPostgresIfStartedByUs();
      return {
        address: 'local cluster',
        note: versions.length ? `stopped cluster ${versions.join(', ')} main (infra:up had started it)` : 'was running before infra:up, left alone',
      };
    }),
  ]);
  if (results.includes(false)) process.exit(1);
}

void main();
