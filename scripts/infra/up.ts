import { databaseUrl } from '../database-url';
import { ensureKafka } from './kafka';
import { MAIL_CATCHER, startMailCatcher } from './mail-catcher';
import { describeDatabaseUrl, ensurePostgres } from './postgres';
import { isPortOpen } from './net';
import { reportStep, StepResult } from './report';

async function kafka(): Promise<StepResult> {
  const status = await ensureKafka();
  const notes = {
    started: `started (pid ${status.pid}, logs in .infra/kafka/default/broker.log)`,
    running: `already running (pid ${status.pid})`,
    external: 'reachable (not started by infra:up)',
  };
  return { address: status.brokers.join(','), note: notes[status.state] };
}

async function postgres(): Promise<StepResult> {
  const url = databaseUrl();
  const { started } = await ensurePostgres(url);
  return { address: describeDatabaseUrl(url), note: started ? 'started with pg_ctlcluster' : 'reachable' };
}

async function mail(): Promise<StepResult> {
  const configured = process.env.SMTP_URL;
  if (configured) {
    const url = new URL(configured);
    const port = Number(url.port) || (url.protocol === 'smtps:' ? 465 : 587);
    if (!(await isPortOpen(url.hostname, port, 3000))) throw new Error(`SMTP_URL ${url.hostname}:${port} is not reachable`);
    return { address: `${url.hostname}:${port}`, note: 'SMTP_URL is set: reachable, no mail catcher started' };
  }
  const catcher = await startMailCatcher();
  const how = catcher.started
    ? `maildev started (pid ${catcher.pid})`
    : catcher.pid
      ? `maildev already running (pid ${catcher.pid})`
      : 'something already listens there (not started by infra:up)';
  return { address: catcher.smtpUrl, note: `${how}; read mail at ${MAIL_CATCHER.webUrl}` };
}

async function main(): Promise<void> {
  const results = await Promise.all([reportStep('postgres', postgres), reportStep('kafka', kafka), reportStep('mail', mail)]);
  if (results.includes(false)) process.exit(1);
}

void main();
