import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isPortOpen } from './infra/net';
import { CaughtMail, confirmLinkIn, MailCatcherClient } from './demo/mail-catcher-client';
import { npmRun, say, Steps } from './demo/console-steps';
import { publishArticles } from './demo/publish-articles';
import {
  ArticleEventJson,
  DigestSlot,
  loadSampleArticles,
  loadSampleReaders,
  nextLocalHour,
  runTagFor,
  SampleReader,
  sharesTag,
  shiftToRecent,
  taggedAddress,
} from './demo/sample-data';
import { ServiceApi } from './demo/service-api';
import { runningService, serviceFiles, startService, stopService, waitUntilHealthy } from './demo/service-process';
import { DemoSettings, demoSettings, demoStateDir } from './demo/settings';
import { aDemoBrowser, DemoPush, prepareDemoPush, pushServiceLog, startPushService, waitForPush } from './demo/demo-push';
import type { ReceivedDemoPush } from './demo/local-push-service';

/** The newest sample story is this old when published: "a few minutes ago". */
const NEWEST_STORY_AGE_MS = 12 * 60_000;
/** A reader's digest slot is at least this far ahead, so subscribing and confirming cannot pass it. */
const SLOT_LEAD_MS = 5 * 60_000;

interface DemoReader extends SampleReader {
  address: string;
  slot: DigestSlot;
  expects: { digest: boolean; alert: boolean };
}

/** What the demo did and found; written to <state dir>/demo.json for scripts and the test suite. */
interface DemoReport {
  runTag: string;
  pid: number;
  serviceUrl: string;
  publicBaseUrl: string;
  mailWebUrl: string;
  editorKey: string;
  logFile: string;
  articles: string[];
  digest: { at: string; runId: string; due: number };
  alert: { articleId: string; alertId: string; recipients: number; emailRecipients: number };
  readers: { email: string; expects: { confirm: true; digest: boolean; alert: boolean }; messageIds: string[] }[];
  push: { pid: number; origin: string; reader: string; browser: string; subscriptionId: string; received: ReceivedDemoPush };
}

async function main(): Promise<void> {
  const push = prepareDemoPush(demoStateDir(), process.env);
  const settings = demoSettings({ ...process.env, ...push.serviceEnv });
  const { config } = settings;
  const steps = new Steps(10);
  const api = new ServiceApi(settings.serviceUrl, settings.editorKey);
  const catcher = new MailCatcherClient(settings.mailWebUrl);
  const files = serviceFiles(settings.stateDir);
  console.log(`Dispatch demo${settings.fast ? ' (fast mode: the service runs from source)' : ''}`);

  await steps.run('Infrastructure: Kafka, PostgreSQL and the mail catcher (npm run infra:up)', () => npmRun('infra:up', settings.serviceEnv));
  await steps.run(`Database migrations (npm run db:migrate)`, () => npmRun('db:migrate', settings.serviceEnv));
  if (settings.fast) steps.skip('Build (npm run build)', 'fast mode runs the sources through SWC');
  else await steps.run('Build (npm run build)', () => npmRun('build', settings.serviceEnv));

  const pid = await steps.run(`Service on port ${config.port}`, async () => {
    const previous = runningService(settings.stateDir);
    if (previous !== undefined) {
      say(`stopping the previous demo service (pid ${previous}) so this run's build and editor key take effect`);
      await stopService(settings.stateDir);
    }
    if (await isPortOpen('127.0.0.1', config.port)) {
      throw new Error(`port ${config.port} is taken by another process; stop it or run the demo with PORT=<another port>`);
    }
    mkdirSync(settings.stateDir, { recursive: true });
    const started = startService(settings.stateDir, settings.serviceEnv, settings.fast);
    say(`started pid ${started} with NODE_ENV=development, logs in ${files.logFile}`);
    await waitUntilHealthy(() => api.healthy(), started, files.logFile);
    say(`GET ${settings.serviceUrl}/health answers 200 (database, Kafka, SMTP and the consumer are up)`);
    return started;
  });

  const now = new Date();
  const runTag = runTagFor(now);
  const sample = loadSampleArticles();
  const articles = shiftToRecent(sample.articles, now, NEWEST_STORY_AGE_MS);
  await steps.run(`Publishing ${articles.length} article events to Kafka topic "${config.kafka.articlesTopic}"`, async () => {
    const storedBefore = await api.metric('dispatch_events_stored_total');
    await publishArticles(config.kafka.brokers, config.kafka.articlesTopic, articles);
    for (const article of articles) say(`${article.publishedAt.slice(11, 16)} UTC  ${article.title}  [${article.tags.join(', ')}]`);
    await waitUntilStored(api, articles, storedBefore);
    say('all stored: GET /tags lists every tag and dispatch_events_stored_total counts them');
  });

  const breaking: ArticleEventJson = { ...sample.breaking, id: `${sample.breaking.id}-${runTag}`, publishedAt: new Date().toISOString() };
  const readers: DemoReader[] = loadSampleReaders().map((reader) => ({
    ...reader,
    address: taggedAddress(reader.email, runTag),
    slot: nextLocalHour(reader.timezone, new Date(), SLOT_LEAD_MS),
    expects: {
      digest: articles.some((article) => sharesTag(reader.tags, article.tags)),
      alert: sharesTag(reader.tags, breaking.tags),
    },
  }));

  await steps.run(`Subscribing ${readers.length} sample readers and confirming each through the link in their email`, async () => {
    await assertCatcherReachable(catcher);
    for (const reader of readers) {
      await api.subscribe({
        email: reader.address,
        tags: reader.tags,
        frequency: reader.frequency,
        sendHour: reader.slot.sendHour,
        timezone: reader.timezone,
        weekday: reader.slot.weekday,
      });
    }
    for (const reader of readers) {
      const mail = await catcher.waitFor(`the confirmation email to ${reader.address}`, (mails) =>
        mails.find((m) => m.kind === 'confirm' && m.to.includes(reader.address)),
      );
      const link = confirmLinkIn(mail.text);
      if (!link) throw new Error(`the confirmation email to ${reader.address} has no confirmation link`);
      const status = await api.follow(link);
      if (status !== 200) throw new Error(`the confirmation link for ${reader.address} answered ${status}`);
      const schedule = `${reader.frequency}${reader.frequency === 'weekly' ? ` on ${reader.slot.weekday}` : ''} at ${String(reader.slot.sendHour).padStart(2, '0')}:00`;
      say(`${reader.address.padEnd(44)} ${reader.timezone.padEnd(20)} ${schedule.padEnd(26)} ${reader.tags.join(', ')}`);
    }
  });

  const pushReader = readers.find((reader) => reader.expects.alert) ?? readers[0];
  const browserName = `browser-${runTag}`.replace(/[^\w-]/g, '-');
  const pushed = await steps.run(`Web push: ${pushReader.address}'s browser subscribes to breaking news on a local push service`, async () => {
    const pushPid = await startPushService(push);
    say(`push service pid ${pushPid} on ${push.origin} (HTTPS; the service trusts its certificate through NODE_EXTRA_CA_CERTS), log in ${pushServiceLog(push.dir)}`);
    const subscription = aDemoBrowser(push, browserName);
    const created = await api.subscribePush(subscription, pushReader.tags);
    say(`POST /push/subscriptions with the browser's P-256 key and auth secret, tags ${pushReader.tags.join(', ')}: subscription ${created.id}`);
    return { pid: pushPid, subscriptionId: created.id };
  });

  const at = new Date(Math.max(...readers.map((reader) => reader.slot.slot.getTime())));
  const digest = await steps.run(`Digest run at ${at.toISOString()}, the latest of the readers' next send hours (POST /digests/run)`, async () => {
    const run = await api.runDigests(at);
    say(`run ${run.runId}: ${run.due} subscriber(s) due`);
    return run;
  });

  const alert = await steps.run(`Breaking alert (POST /alerts): "${breaking.title}"`, async () => {
    const created = await api.sendAlert(breaking);
    say(`alert ${created.alertId} to ${created.recipients} recipient(s) (readers by email, browsers by push) of ${breaking.tags.join(', ')}`);
    return created;
  });

  const received = await steps.run('Waiting for the digests and the alert to reach the mail catcher, and the push to reach the browser', async () => {
    const mails = await catcher.waitFor('every digest and alert', (all) => {
      const mine = all.filter((mail) => readers.some((reader) => mail.to.includes(reader.address)));
      const complete = readers.every(
        (reader) =>
          (!reader.expects.digest || has(mine, reader, 'digest')) && (!reader.expects.alert || has(mine, reader, 'alert')),
      );
      return complete ? mine : undefined;
    });
    const arrived = await waitForPush(push, browserName, alert.alertId);
    const status = await waitForAlertSent(api, alert.alertId);
    const { email, push: pushes } = status.channels;
    say(`alert status: ${status.status}; ${email.sent} of ${email.recipients} emails sent, ${email.failed} failed; ${pushes.sent} of ${pushes.recipients} pushes sent; the push reached the browser at ${arrived.at.slice(11, 19)} UTC`);
    return { mails, arrived, status };
  });

  const report: DemoReport = {
    runTag,
    pid,
    serviceUrl: settings.serviceUrl,
    publicBaseUrl: config.publicBaseUrl,
    mailWebUrl: settings.mailWebUrl,
    editorKey: settings.editorKey,
    logFile: files.logFile,
    articles: articles.map((article) => article.id),
    digest: { at: at.toISOString(), runId: digest.runId, due: digest.due },
    alert: { articleId: breaking.id, alertId: alert.alertId, recipients: alert.recipients, emailRecipients: received.status.channels.email.recipients },
    readers: readers.map((reader) => ({
      email: reader.address,
      expects: { confirm: true, ...reader.expects },
      messageIds: received.mails.filter((mail) => mail.to.includes(reader.address)).map((mail) => mail.messageId),
    })),
    push: { pid: pushed.pid, origin: push.origin, reader: pushReader.address, browser: browserName, subscriptionId: pushed.subscriptionId, received: received.arrived },
  };
  writeFileSync(join(settings.stateDir, 'demo.json'), `${JSON.stringify(report, null, 2)}\n`);
  printSummary(settings, report, readers, received.mails, push);
}

async function waitUntilStored(api: ServiceApi, articles: readonly ArticleEventJson[], storedBefore: number, timeoutMs = 120_000): Promise<void> {
  const wanted = new Map<string, number>();
  for (const tag of articles.flatMap((article) => article.tags.map((t) => t.toLowerCase()))) wanted.set(tag, (wanted.get(tag) ?? 0) + 1);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stored = (await api.metric('dispatch_events_stored_total')) - storedBefore;
    const known = new Map((await api.tags()).map(({ tag, articles: count }) => [tag, count]));
    if (stored >= articles.length && [...wanted].every(([tag, count]) => (known.get(tag) ?? 0) >= count)) return;
    if (Date.now() > deadline) throw new Error(`only ${stored} of ${articles.length} events were stored within ${timeoutMs / 1000} s`);
    await sleep(300);
  }
}

async function waitForAlertSent(api: ServiceApi, alertId: string, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await api.alertStatus(alertId);
    if (status.status === 'sent' || Date.now() > deadline) return status;
    await sleep(300);
  }
}

async function assertCatcherReachable(catcher: MailCatcherClient): Promise<void> {
  try {
    await catcher.list();
  } catch (error) {
    throw new Error(
      `the demo reads the confirmation emails from maildev's API at ${catcher.webUrl} and cannot reach it (${(error as Error).message}); ` +
        'leave SMTP_URL unset so infra:up starts maildev, or point DEMO_MAIL_WEB_URL at the catcher behind SMTP_URL',
    );
  }
}

function has(mails: readonly CaughtMail[], reader: DemoReader, kind: CaughtMail['kind']): boolean {
  return mails.some((mail) => mail.kind === kind && mail.to.includes(reader.address));
}

function printSummary(settings: DemoSettings, report: DemoReport, readers: readonly DemoReader[], mails: readonly CaughtMail[], push: DemoPush): void {
  const base = report.publicBaseUrl;
  const preview = `${base}/digests/preview?email=${encodeURIComponent(readers[0].address)}`;
  const stateDirSet = settings.stateDir !== demoStateDir({});
  const stop = `${stateDirSet ? `DEMO_STATE_DIR=${settings.stateDir} ` : ''}npm run demo:stop`;
  console.log('\nWhat the readers got');
  for (const reader of readers) {
    const mine = mails.filter((mail) => mail.to.includes(reader.address));
    const digest = mine.find((mail) => mail.kind === 'digest');
    const alert = mine.find((mail) => mail.kind === 'alert');
    console.log(`  ${reader.address}`);
    console.log(`      confirmation  yes`);
    console.log(`      digest        ${digest ? `"${digest.subject}"` : 'none (no story on their tags)'}`);
    console.log(`      alert         ${alert ? `"${alert.subject}"` : 'none (no tag in common with the breaking story)'}`);
    if (reader.address === report.push.reader) printPush(report.push.received);
  }
  console.log(`
Dispatch is running (pid ${report.pid}).

  Read the mail        ${settings.mailWebUrl}
  Service              ${base}   (subscribe page)
  Editor console       ${base}/editor   (editor key: ${report.editorKey})
  Metrics              ${base}/metrics
  Health               ${base}/health
  Service log          ${report.logFile}
  Push service         ${push.origin}   (pid ${report.push.pid}; decrypted pushes in ${join(push.dir, 'received.jsonl')})
  Run details          ${join(settings.stateDir, 'demo.json')}

  Try it:  curl -s '${preview}' -H 'Authorization: Bearer ${report.editorKey}'
  Stop it: ${stop}        (or: kill ${report.pid} ${report.push.pid})`);
}

/** The push as the browser would show it, decrypted by the local push service, with the headers it came with. */
function printPush(push: ReceivedDemoPush): void {
  if ('undecryptable' in push.payload) {
    console.log(`      push          could not be decrypted: ${push.payload.undecryptable}`);
    return;
  }
  const { title, body, url } = push.payload;
  console.log(`      push          "${title}"`);
  if (body) console.log(`                    ${body.length > 100 ? `${body.slice(0, 99)}…` : body}`);
  console.log(`                    opens ${url}`);
  console.log(`                    decrypted (aes128gcm); Urgency ${push.urgency}, TTL ${push.ttl} s, Topic ${push.topic}, VAPID ${push.vapid ? `verified (${push.vapid.sub})` : 'NOT verified'}`);
}

main().catch((error: Error) => {
  console.error(`\ndemo failed: ${error.message}`);
  process.exit(1);
});
