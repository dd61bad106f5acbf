import { Kafka } from 'kafkajs';
import { generateVAPIDKeys } from 'web-push';
import { AppConfig } from '../config/config';
import { normalizeEmailAddress } from '../subscriptions/email-address';
import { suppressionHashes } from '../suppression/email-hash';
import { intOption, OptionSpec, ParsedArgs } from './argv';
import { replayDlq } from './dlq-replay';
import { AlertReport, DeliveryCounts, OperatorStore, RunReport } from './operator-store';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

/** Opened on first use, so `help` needs neither a database nor a broker. */
export interface CliDeps {
  config: AppConfig;
  store(): OperatorStore;
  kafka(): Kafka;
}

export interface Command {
  name: string;
  usage: string;
  summary: string;
  options: Record<string, OptionSpec>;
  /** Returns the process exit code: 0 done, 1 refused or not found, 2 bad usage. */
  run(args: ParsedArgs, deps: CliDeps, io: CliIo): Promise<number>;
}

export const EXIT = { ok: 0, refused: 1, usage: 2 } as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const JSON_OPTION = { json: { takesValue: false } };

/** The replay group is the service's group with a suffix: one per deployment, never the service's own. */
export function replayGroupId(config: AppConfig): string {
  return `${config.kafka.groupId}-dlq-replay`;
}

const dlqReplay: Command = {
  name: 'dlq:replay',
  usage: 'dlq:replay [--limit N] [--dry-run] [--json]',
  summary: 'republish parked events (DLQ) to the articles topic, without the dispatch-* headers; --dry-run only lists them',
  options: { limit: { takesValue: true }, 'dry-run': { takesValue: false }, ...JSON_OPTION },
  async run(args, deps, io) {
    const limit = intOption(args, 'limit', 1_000_000, { min: 1, max: 1_000_000 });
    if (typeof limit !== 'number') return usageError(io, limit.error);
    const { dlqTopic, articlesTopic } = deps.config.kafka;
    const dryRun = args.options.has('dry-run');
    const groupId = replayGroupId(deps.config);
    const report = await replayDlq(deps.kafka(), { dlqTopic, articlesTopic, groupId, limit, dryRun });
    if (args.options.has('json')) {
      io.out(JSON.stringify({ dlqTopic, articlesTopic, groupId, ...report }));
      return EXIT.ok;
    }
    for (const m of report.messages) {
      const now = m.validNow ? 'valid now' : 'still invalid: will be parked again';
      io.out(`  ${dlqTopic}[${m.partition}]@${m.offset}  key ${m.key ?? '(none)'}  parked: ${m.reason ?? '(no reason)'}  → ${now}`);
    }
    const verb = dryRun ? 'would replay' : 'replayed';
    io.out(`${verb} ${report.messages.length} of ${report.pending} parked message(s) from ${dlqTopic} to ${articlesTopic} (consumer group ${groupId})`);
    if (dryRun && report.messages.length > 0) io.out('nothing was published or committed (dry run)');
    return EXIT.ok;
  },
};

const deliveryResend: Command = {
  name: 'delivery:resend',
  usage: 'delivery:resend <deliveryId> [--json]',
  summary: 'put a failed or skipped delivery back in the queue with its attempts cleared (eligibility is re-checked when it is sent)',
  options: JSON_OPTION,
  async run(args, deps, io) {
    const raw = args.positionals[0];
    if (!raw || !/^\d{1,18}$/.test(raw)) return usageError(io, 'give the delivery id (a number), e.g. delivery:resend 42');
    const result = await deps.store().resendDelivery(BigInt(raw));
    if (args.options.has('json')) io.out(JSON.stringify(result));
    else if (result.outcome === 'not-found') io.err(`no delivery ${result.id}`);
    else if (result.outcome === 'not-resendable') io.err(`delivery ${result.id} is ${result.status}; only failed or skipped deliveries can be re-sent`);
    else {
      io.out(`delivery ${result.id} (${result.kind}) was ${result.was}${result.lastError ? ` (${result.lastError})` : ''}; it is queued again`);
      if (result.addressSuppressed) io.out('note: the address is on the suppression list, so the worker will skip it again');
      else if (result.subscriberStatus !== null && result.subscriberStatus !== 'confirmed') {
        io.out(`note: the subscriber is ${result.subscriberStatus}; only a confirmation email can reach them`);
      }
    }
    return result.outcome === 'queued' ? EXIT.ok : EXIT.refused;
  },
};

/** A `<name>:status <uuid> [--json]` command: one record looked up by id, printed or as JSON. */
function statusCommand<T>(spec: {
  name: string;
  summary: string;
  idName: string;
  whereFrom: string;
  what: string;
  find: (store: OperatorStore, id: string) => Promise<T | null>;
  print: (record: T, io: CliIo) => void;
}): Command {
  return {
    name: spec.name,
    usage: `${spec.name} <${spec.idName}> [--json]`,
    summary: spec.summary,
    options: JSON_OPTION,
    async run(args, deps, io) {
      const id = args.positionals[0];
      if (!id || !UUID.test(id)) return usageError(io, `give the ${spec.what} id (a uuid), as ${spec.whereFrom} returned it`);
      const record = await spec.find(deps.store(), id);
      if (!record) {
        io.err(`no ${spec.what} ${id}`);
        return EXIT.refused;
      }
      if (args.options.has('json')) io.out(JSON.stringify(record));
      else spec.print(record, io);
      return EXIT.ok;
    },
  };
}

const alertStatus = statusCommand({
  name: 'alert:status',
  summary: "an alert's progress: recipients, its deliveries by status, bounced and complained",
  idName: 'alertId',
  whereFrom: 'POST /alerts',
  what: 'alert',
  find: (store, id) => store.alert(id),
  print: printAlert,
});

const runStatus = statusCommand({
  name: 'run:status',
  summary: "a digest run's progress: due, queued, its deliveries by status, bounced and complained",
  idName: 'runId',
  whereFrom: 'POST /digests/run',
  what: 'digest run',
  find: (store, id) => store.run(id),
  print: printRun,
});

const suppressionsList: Command = {
  name: 'suppressions:list',
  usage: 'suppressions:list [--limit N] [--email <address>] [--json]',
  summary: 'the suppression list, newest first (hashes only: addresses are not kept); --email checks one address',
  options: { limit: { takesValue: true }, email: { takesValue: true }, ...JSON_OPTION },
  async run(args, deps, io) {
    const limit = intOption(args, 'limit', 100, { min: 1, max: 100_000 });
    if (typeof limit !== 'number') return usageError(io, limit.error);
    const given = args.options.get('email');
    let hashes: string[] | undefined;
    if (given !== undefined) {
      const address = normalizeEmailAddress(given);
      if (!address.ok) return usageError(io, `--email: ${address.reason}`);
      hashes = suppressionHashes(address.email);
    }
    const { total, rows } = await deps.store().suppressions(limit, hashes);
    if (args.options.has('json')) {
      io.out(JSON.stringify({ total, rows }));
      return EXIT.ok;
    }
    for (const row of rows) io.out(`  ${row.createdAt}  ${row.emailHash}  ${row.reason}`);
    if (hashes !== undefined) io.out(total > 0 ? 'that address is suppressed' : 'that address is not suppressed');
    else io.out(`${total} suppressed address(es)${rows.length < total ? `, newest ${rows.length} shown` : ''}`);
    return EXIT.ok;
  },
};

const pushKeys: Command = {
  name: 'push:keys',
  usage: 'push:keys [--json]',
  summary: 'make a new VAPID key pair for web push (prints VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY; keep the private one secret)',
  options: JSON_OPTION,
  async run(args, _deps, io) {
    const { publicKey, privateKey } = generateVAPIDKeys();
    if (args.options.has('json')) io.out(JSON.stringify({ publicKey, privateKey }));
    else {
      io.out(`VAPID_PUBLIC_KEY=${publicKey}`);
      io.out(`VAPID_PRIVATE_KEY=${privateKey}`);
      io.out('# and VAPID_SUBJECT=mailto:you@your-site or https://your-site; changing the pair later invalidates every push subscription');
    }
    return Promise.resolve(EXIT.ok);
  },
};

export const COMMANDS: readonly Command[] = [dlqReplay, deliveryResend, alertStatus, runStatus, suppressionsList, pushKeys];

export function helpText(): string[] {
  return [
    'Dispatch operator CLI — npm run dispatch -- <command> [options]',
    'Reads the same environment as the service (DATABASE_URL, KAFKA_BROKERS, KAFKA_GROUP_ID, KAFKA_TOPIC_*, …).',
    '',
    ...COMMANDS.flatMap((command) => [`  ${command.usage}`, `      ${command.summary}`]),
    '  help',
    '      this text',
  ];
}

function usageError(io: CliIo, message: string): number {
  io.err(message);
  return EXIT.usage;
}

function counts(deliveries: DeliveryCounts): string {
  return Object.entries(deliveries)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ') || 'none';
}

function printAlert(alert: AlertReport, io: CliIo): void {
  io.out(`alert ${alert.alertId}: ${alert.status}`);
  io.out(`  article     ${alert.articleId}  "${alert.title}"`);
  io.out(`  audience    ${alert.tags.join(', ')}  (sent by ${alert.sentBy})`);
  io.out(`  recipients  ${alert.recipients}${alert.fannedOutAt ? '' : ' so far (fan-out still running)'}`);
  io.out(`  deliveries  ${counts(alert.deliveries)}`);
  io.out(`  feedback    bounced ${alert.bounced}, complained ${alert.complained}`);
  io.out(`  created     ${alert.createdAt}`);
  if (alert.firstSentAt) io.out(`  first sent  ${alert.firstSentAt}`);
  if (alert.lastSentAt) io.out(`  last sent   ${alert.lastSentAt}`);
}

function printRun(run: RunReport, io: CliIo): void {
  io.out(`digest run ${run.runId} (${run.trigger}) at ${run.at}: ${run.status}`);
  io.out(`  due ${run.due}, queued ${run.queued}, without an email ${run.empty}`);
  io.out(`  deliveries  ${counts(run.deliveries)}`);
  io.out(`  feedback    bounced ${run.bounced}, complained ${run.complained}`);
  io.out(`  started     ${run.startedAt}`);
  if (run.endedAt) io.out(`  ended       ${run.endedAt}`);
}
