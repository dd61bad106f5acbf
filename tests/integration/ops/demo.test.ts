import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaughtMail, MailCatcherClient } from '../../../scripts/demo/mail-catcher-client';
import { runningService, stopService } from '../../../scripts/demo/service-process';
import { runningPushService, stopPushService } from '../../../scripts/demo/demo-push';
import { freePort } from '../../../scripts/infra/net';
import { REPO_ROOT } from '../../../scripts/infra/paths';
import { isAlive } from '../../../scripts/infra/processes';
import { createTestDatabase, TestDatabase } from '../../support/database';
import { deleteTopic, kafkaBrokers, uniqueName } from '../../support/kafka';
import { MailCatcherProcess } from './mail-catcher-process';

jest.setTimeout(600_000);

interface DemoReport {
  pid: number;
  serviceUrl: string;
  editorKey: string;
  digest: { due: number };
  alert: { alertId: string; recipients: number; emailRecipients: number };
  readers: { email: string; expects: { confirm: boolean; digest: boolean; alert: boolean } }[];
  push: { pid: number; reader: string; received: { urgency: string; ttl: string; vapid: object | null; payload: { alertId?: string; title?: string; url?: string } } };
}

function npmRun(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', script], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('npm run demo (fast mode, inside the suite)', () => {
  let catcher: MailCatcherProcess;
  let db: TestDatabase;
  let stateDir: string;
  let env: NodeJS.ProcessEnv;
  const topics = { articles: uniqueName('demo-articles'), dlq: uniqueName('demo-dlq'), group: uniqueName('demo') };
  let demo: { code: number | null; output: string };
  let report: DemoReport;
  let mails: CaughtMail[];

  beforeAll(async () => {
    [catcher, db] = await Promise.all([MailCatcherProcess.start(), createTestDatabase()]);
    stateDir = mkdtempSync(join(tmpdir(), 'dispatch-demo-state-'));
    env = {
      ...process.env,
      DEMO_FAST: '1',
      DEMO_STATE_DIR: stateDir,
      DEMO_MAIL_WEB_URL: catcher.webUrl,
      PORT: String(await freePort()),
      DATABASE_URL: db.url,
      KAFKA_BROKERS: kafkaBrokers().join(','),
      KAFKA_GROUP_ID: topics.group,
      KAFKA_TOPIC_ARTICLES: topics.articles,
      KAFKA_TOPIC_DLQ: topics.dlq,
      SMTP_URL: catcher.smtpUrl,
      LOG_LEVEL: 'info',
    };
    delete env.PUBLIC_BASE_URL;
    delete env.EDITOR_API_KEYS;
    demo = await npmRun('demo', env);
    if (demo.code !== 0) throw new Error(`npm run demo exited with ${demo.code}:\n${demo.output}`);
    report = JSON.parse(readFileSync(join(stateDir, 'demo.json'), 'utf8')) as DemoReport;
    mails = await new MailCatcherClient(catcher.webUrl).list();
  });

  afterAll(async () => {
    if (stateDir && runningService(stateDir) !== undefined) await stopService(stateDir);
    if (stateDir && runningPushService(stateDir) !== undefined) await stopPushService(stateDir);
    await Promise.allSettled([catcher?.stop(), db?.drop(), deleteTopic(kafkaBrokers(), topics.articles), deleteTopic(kafkaBrokers(), topics.dlq)]);
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  it('ends with the service running and healthy, and says where everything is', async () => {
    expect(isAlive(report.pid)).toBe(true);
    expect((await fetch(`${report.serviceUrl}/health`)).status).toBe(200);
    const port = env.PORT as string;
    for (const promised of [
      `Read the mail        ${catcher.webUrl}`,
      `Editor console       http://localhost:${port}/editor   (editor key: ${report.editorKey})`,
      `Metrics              http://localhost:${port}/metrics`,
      `Health               http://localhost:${port}/health`,
      `Dispatch is running (pid ${report.pid})`,
      'npm run demo:stop',
    ]) {
      expect(demo.output).toContain(promised);
    }
    const withKey = await fetch(`${report.serviceUrl}/alerts/00000000-0000-4000-8000-000000000000`, { headers: { authorization: `Bearer ${report.editorKey}` } });
    expect(withKey.status).toBe(404);
  });

  it('published at least a dozen stories, all of which the service stored', async () => {
    const tags = (await (await fetch(`${report.serviceUrl}/tags`)).json()) as { tag: string; articles: number }[];
    expect(tags.find((tag) => tag.tag === 'ainews')?.articles).toBeGreaterThanOrEqual(12);
    expect(tags.map((tag) => tag.tag)).toEqual(expect.arrayContaining(['syntheticdata', 'chatgpt', 'maia200', 'executiveorder']));
  });

  it('every reader got exactly the mail it promises: one confirmation, their digest, the alert if their tags match', () => {
    expect(report.readers.length).toBeGreaterThanOrEqual(6);
    expect(report.digest.due).toBe(report.readers.length);
    expect(report.alert.emailRecipients).toBe(report.readers.filter((reader) => reader.expects.alert).length);
    for (const reader of report.readers) {
      const kinds = mails.filter((mail) => mail.to.includes(reader.email)).map((mail) => mail.kind).sort();
      const expected = ['confirm', ...(reader.expects.digest ? ['digest'] : []), ...(reader.expects.alert ? ['alert'] : [])].sort();
      expect({ reader: reader.email, kinds }).toEqual({ reader: reader.email, kinds: expected });
    }
    expect(report.readers.every((reader) => reader.expects.digest)).toBe(true);
    expect(report.readers.some((reader) => reader.expects.alert)).toBe(true);
    expect(report.readers.some((reader) => !reader.expects.alert)).toBe(true);
    expect(new Set(mails.map((mail) => mail.messageId)).size).toBe(mails.length);
  });

  it('a reader\'s browser got the alert by web push beside the email: decrypted, VAPID-signed, urgent', () => {
    const reader = report.readers.find((each) => each.email === report.push.reader);
    expect(reader?.expects.alert).toBe(true);
    expect(report.push.received.payload).toMatchObject({ alertId: report.alert.alertId, title: expect.any(String), url: expect.stringMatching(/^https?:\/\//) });
    expect(report.push.received).toMatchObject({ urgency: 'high', vapid: expect.any(Object) });
    expect(Number(report.push.received.ttl)).toBeLessThanOrEqual(3600);
    expect(demo.output).toContain('      push          "');
  });

  it('npm run demo:stop stops that service cleanly and only that', async () => {
    const stopped = await npmRun('demo:stop', env);
    expect(stopped.code).toBe(0);
    expect(stopped.output).toContain(`stopped the demo service (pid ${report.pid})`);
    expect(stopped.output).toContain(`stopped the demo push service (pid ${report.push.pid})`);
    expect(isAlive(report.pid)).toBe(false);
    expect(isAlive(report.push.pid)).toBe(false);
    expect(existsSync(join(stateDir, 'service.pid'))).toBe(false);
    expect(readFileSync(join(stateDir, 'service.log'), 'utf8')).toContain('"msg":"shut down cleanly"');
  });
});
