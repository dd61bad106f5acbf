import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { INFRA_DIR, REPO_ROOT } from './paths';
import { withFileLock } from './file-lock';
import { isPortOpen, parseHostPort } from './net';
import { isAlive, logTail, ownedPid, spawnDetached, stopOwnedProcess } from './processes';
import { requireTool, run } from './tools';

export const KAFKA_DIR = join(INFRA_DIR, 'kafka');
export const KAFKA_LIBS_DIR = join(KAFKA_DIR, 'libs');
const POM = join(REPO_ROOT, 'scripts', 'kafka', 'pom.xml');
const LIBS_MARKER = '.complete';

export const DEFAULT_KAFKA_BROKERS = '127.0.0.1:9092';

/** The broker infra:up runs for the whole machine's development and tests. */
export const DEFAULT_BROKER: KafkaBrokerOptions = { name: 'default', port: 9092, controllerPort: 9093 };

export interface KafkaBrokerOptions {
  /** Folder under .infra/kafka holding its config, data, log and pid file. */
  name: string;
  port: number;
  controllerPort: number;
  /** Defaults to .infra/kafka/<name>/data. */
  dataDir?: string;
  /** Added to (or overriding) the generated server.properties. */
  extraProperties?: Record<string, string>;
}

export interface KafkaBrokerFiles {
  dir: string;
  dataDir: string;
  configFile: string;
  logConfigFile: string;
  logFile: string;
  pidFile: string;
}

export function kafkaBrokerFiles(options: Pick<KafkaBrokerOptions, 'name' | 'dataDir'>): KafkaBrokerFiles {
  const dir = join(KAFKA_DIR, options.name);
  return {
    dir,
    dataDir: options.dataDir ?? join(dir, 'data'),
    configFile: join(dir, 'server.properties'),
    logConfigFile: join(dir, 'log4j2.properties'),
    logFile: join(dir, 'broker.log'),
    pidFile: join(dir, 'broker.pid'),
  };
}

function pomHash(): string {
  return createHash('sha256').update(readFileSync(POM)).digest('hex');
}

function jarsPresent(): boolean {
  try {
    return readFileSync(join(KAFKA_LIBS_DIR, LIBS_MARKER), 'utf8').trim() === pomHash();
  } catch {
    return false;
  }
}

/**
 * Makes sure the broker's classpath is in .infra/kafka/libs, fetching it from
 * Maven Central only when missing or when the pom changed. Maven copies into a
 * private folder that is moved into place whole, so an interrupted or
 * concurrent fetch never leaves a half-filled classpath behind.
 */
export async function ensureKafkaJars(): Promise<{ fetched: boolean }> {
  if (jarsPresent()) return { fetched: false };
  return withFileLock(join(KAFKA_DIR, 'libs.lock'), fetchKafkaJars);
}

async function fetchKafkaJars(): Promise<{ fetched: boolean }> {
  if (jarsPresent()) return { fetched: false };
  requireTool('mvn', ['-v'], 'install Maven 3.8+ (apt-get install -y maven); it fetches the Kafka broker jars from Maven Central');
  const staging = join(KAFKA_DIR, 'libs.tmp');
  rmSync(staging, { recursive: true, force: true });
  const result = await run('mvn', [
    '-q',
    '-B',
    '-f',
    POM,
    'dependency:copy-dependencies',
    '-DincludeScope=runtime',
    `-DoutputDirectory=${staging}`,
  ]);
  if (result.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`fetching the Kafka jars with Maven failed:\n${result.output.trim()}`);
  }
  writeFileSync(join(staging, LIBS_MARKER), pomHash());
  rmSync(KAFKA_LIBS_DIR, { recursive: true, force: true });
  renameSync(staging, KAFKA_LIBS_DIR);
  return { fetched: true };
}

function serverProperties(options: KafkaBrokerOptions, dataDir: string): string {
  const { port, controllerPort } = options;
  return `${[
    '# Written by scripts/infra/kafka.ts on every start; edit there.',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${dataDir}`,
    'num.partitions=1',
    '# One node: internal topics must not ask for three replicas, or groups hang forever.',
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    '# Fast group joins and a small footprint for tests.',
    'group.initial.rebalance.delay.ms=0',
    'offsets.topic.num.partitions=1',
    'log.cleaner.dedupe.buffer.size=2097152',
    '# The service creates its own topics; a typo must not silently create one.',
    'auto.create.topics.enable=false',
    ...Object.entries(options.extraProperties ?? {}).map(([key, value]) => `${key}=${value}`),
  ].join('\n')}\n`;
}

// Kafka is chatty at INFO; keep warnings plus the lines that say it started or stopped.
const LOG4J2_PROPERTIES = `${[
  'status = warn',
  'appender.console.type = Console',
  'appender.console.name = STDOUT',
  'appender.console.layout.type = PatternLayout',
  'appender.console.layout.pattern = [%d] %p %m (%c)%n',
  'rootLogger.level = WARN',
  'rootLogger.appenderRef.console.ref = STDOUT',
  'logger.raftServer.name = kafka.server.KafkaRaftServer',
  'logger.raftServer.level = INFO',
  'logger.brokerServer.name = kafka.server.BrokerServer',
  'logger.brokerServer.level = INFO',
].join('\n')}\n`;

function classpath(): string {
  // The JVM expands dir/* itself, no shell involved.
  return `${KAFKA_LIBS_DIR}/*`;
}

function javaArgs(files: KafkaBrokerFiles, mainClass: string, args: string[]): string[] {
  return [
    '-Xms512m',
    '-Xmx1g',
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
    // Keep logging through Kafka's own shutdown sequence (it logs after the JVM hook would fire).
    '-Dlog4j2.shutdownHookEnabled=false',
    `-Dlog4j2.configurationFile=${files.logConfigFile}`,
    '-cp',
    classpath(),
    mainClass,
    ...args,
  ];
}

async function formatStorage(files: KafkaBrokerFiles): Promise<void> {
  if (existsSync(join(files.dataDir, 'meta.properties'))) return;
  const uuid = await run('java', javaArgs(files, 'kafka.tools.StorageTool', ['random-uuid']));
  const clusterId = uuid.output.trim().split('\n').pop()?.trim() ?? '';
  if (uuid.status !== 0 || !/^[A-Za-z0-9_-]{22}$/.test(clusterId)) {
    throw new Error(`kafka StorageTool random-uuid failed:\n${uuid.output.trim()}`);
  }
  const format = await run(
    'java',
    javaArgs(files, 'kafka.tools.StorageTool', ['format', '-t', clusterId, '-c', files.configFile, '--ignore-formatted']),
  );
  if (format.status !== 0) throw new Error(`kafka StorageTool format failed:\n${format.output.trim()}`);
}

/** The pid of this broker if it is running and was started by us. */
export function kafkaBrokerPid(options: Pick<KafkaBrokerOptions, 'name' | 'dataDir'>): number | undefined {
  const files = kafkaBrokerFiles(options);
  return ownedPid(files.pidFile, files.configFile);
}

export interface StartedKafkaBroker {
  pid: number;
  /** False when it was running already (idempotent start). */
  started: boolean;
  brokers: string[];
  files: KafkaBrokerFiles;
}

/**
 * Starts a single-node KRaft broker (broker + controller) as a detached `java`
 * process, formatting its data folder the first time. Does not wait for it to
 * answer: see waitForKafka.
 */
export async function startKafkaBroker(options: KafkaBrokerOptions): Promise<StartedKafkaBroker> {
  requireTool('java', ['-version'], 'install a Java 17+ runtime (apt-get install -y openjdk-17-jre-headless) to run the Kafka broker');
  await ensureKafkaJars();
  const files = kafkaBrokerFiles(options);
  return withFileLock(join(files.dir, 'start.lock'), () => startLocked(options, files));
}

async function startLocked(options: KafkaBrokerOptions, files: KafkaBrokerFiles): Promise<StartedKafkaBroker> {
  const brokers = [`127.0.0.1:${options.port}`];
  const running = ownedPid(files.pidFile, files.configFile);
  if (running !== undefined) return { pid: running, started: false, brokers, files };
  if (await isPortOpen('127.0.0.1', options.port)) {
    throw new Error(`127.0.0.1:${options.port} is taken by a process that infra:up did not start`);
  }
  mkdirSync(files.dataDir, { recursive: true });
  writeFileSync(files.configFile, serverProperties(options, files.dataDir));
  writeFileSync(files.logConfigFile, LOG4J2_PROPERTIES);
  await formatStorage(files);
  const pid = spawnDetached({
    command: 'java',
    args: javaArgs(files, 'kafka.Kafka', [files.configFile]),
    cwd: files.dir,
    pidFile: files.pidFile,
    logFile: files.logFile,
  });
  return { pid, started: true, brokers, files };
}

/** SIGTERM (a clean shutdown, which Kafka needs a few seconds for) or SIGKILL. */
export async function stopKafkaBroker(
  options: Pick<KafkaBrokerOptions, 'name' | 'dataDir'>,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<number | undefined> {
  const files = kafkaBrokerFiles(options);
  return stopOwnedProcess(files.pidFile, files.configFile, { signal, graceMs: 60_000 });
}

/** Names of the broker folders under .infra/kafka (not the shared libs). */
export function kafkaBrokerNames(): string[] {
  if (!existsSync(KAFKA_DIR)) return [];
  return readdirSync(KAFKA_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== 'libs' && !entry.name.endsWith('.tmp'))
    .map((entry) => entry.name);
}

export function kafkaBrokersFromEnv(): string[] {
  return (process.env.KAFKA_BROKERS || DEFAULT_KAFKA_BROKERS)
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
}

/**
 * Resolves once a Kafka admin client gets an answer to listTopics() — the
 * broker is serving metadata, not merely listening. When `watch` names the
 * broker's process, a process that dies fails at once with its log tail
 * rather than after the whole timeout.
 */
export async function waitForKafka(
  brokers: string[],
  timeoutMs = 90_000,
  watch?: { pid: number; logFile: string },
): Promise<void> {
  const kafka = new Kafka({
    clientId: 'dispatch-infra',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 5000,
    retry: { retries: 0 },
  });
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no answer';
  for (;;) {
    if (watch && !isAlive(watch.pid)) {
      throw new Error(`Kafka broker (pid ${watch.pid}) exited during start-up; ${watch.logFile}:\n${logTail(watch.logFile)}`);
    }
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.listTopics();
      return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    if (Date.now() >= deadline) {
      throw new Error(`Kafka at ${brokers.join(',')} did not answer within ${Math.round(timeoutMs / 1000)} s: ${lastError}`);
    }
    await sleep(500);
  }
}

export interface KafkaStatus {
  brokers: string[];
  /** started: by this call; running: ours, from an earlier start; external: not ours to stop. */
  state: 'started' | 'running' | 'external';
  pid?: number;
}

/**
 * What infra:up and the test set-up both need: Kafka answering at `brokers`.
 * Only the default local address gets a broker of ours started; a broker
 * someone else runs there, or any other address, is just waited for.
 */
export async function ensureKafka(brokers = kafkaBrokersFromEnv(), timeoutMs = 90_000): Promise<KafkaStatus> {
  const isDefault = brokers.join(',') === DEFAULT_KAFKA_BROKERS;
  if (isDefault && kafkaBrokerPid(DEFAULT_BROKER) === undefined) {
    const { host, port } = parseHostPort(DEFAULT_KAFKA_BROKERS);
    if (!(await isPortOpen(host, port))) {
      const broker = await startKafkaBroker(DEFAULT_BROKER);
      await waitForKafka(brokers, timeoutMs, { pid: broker.pid, logFile: broker.files.logFile });
      return { brokers, state: broker.started ? 'started' : 'running', pid: broker.pid };
    }
  }
  await waitForKafka(brokers, timeoutMs);
  const pid = isDefault ? kafkaBrokerPid(DEFAULT_BROKER) : undefined;
  return { brokers, state: pid === undefined ? 'external' : 'running', pid };
}
