import { PrismaPg } from '@prisma/adapter-pg';
import { Kafka, logLevel } from 'kafkajs';
import { AppConfig, ConfigError, loadConfig } from '../config/config';
import { PrismaClient } from '../generated/prisma/client';
import { parseArgs } from './argv';
import { CliDeps, CliIo, COMMANDS, EXIT, helpText } from './commands';
import { OperatorStore } from './operator-store';

/**
 * The CLI signs no links, so it has no use for TOKEN_SECRET; without one, the
 * production check would refuse to load the rest of the configuration it does need.
 */
const UNUSED_TOKEN_SECRET = 'operator-cli-signs-no-tokens';

/** Runs one command; returns the exit code. Everything it prints goes through `io`. */
export async function runCli(argv: readonly string[], io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    helpText().forEach((line) => io.out(line));
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) {
    io.err(`unknown command "${name}"; npm run dispatch -- help lists them`);
    return EXIT.usage;
  }
  const parsed = parseArgs(rest, command.options);
  if (!parsed.ok) {
    io.err(`${parsed.error}\nusage: ${command.usage}`);
    return EXIT.usage;
  }

  let config: AppConfig;
  try {
    config = loadConfig({ ...env, TOKEN_SECRET: env.TOKEN_SECRET || UNUSED_TOKEN_SECRET });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(error.message);
    return EXIT.usage;
  }
  const deps = new LazyDeps(config);
  try {
    return await command.run(parsed.args, deps, io);
  } catch (error) {
    io.err(`${command.name} failed: ${(error as Error).message.trim().split('\n').pop()}`);
    return EXIT.refused;
  } finally {
    await deps.close();
  }
}

class LazyDeps implements CliDeps {
  private prisma?: PrismaClient;
  private client?: Kafka;

  constructor(readonly config: AppConfig) {}

  store(): OperatorStore {
    this.prisma ??= new PrismaClient({ adapter: new PrismaPg({ connectionString: this.config.databaseUrl, max: 2 }) });
    return new OperatorStore(this.prisma);
  }

  kafka(): Kafka {
    this.client ??= new Kafka({
      clientId: `${this.config.kafka.clientId}-cli`,
      brokers: [...this.config.kafka.brokers],
      logLevel: logLevel.ERROR,
      retry: { retries: 5 },
    });
    return this.client;
  }

  async close(): Promise<void> {
    await this.prisma?.$disconnect();
  }
}

if (require.main === module) {
  const io: CliIo = { out: (line) => process.stdout.write(`${line}\n`), err: (line) => process.stderr.write(`${line}\n`) };
  runCli(process.argv.slice(2), io).then(
    (code) => process.exit(code),
    (error: Error) => {
      process.stderr.write(`${error.stack ?? error.message}\n`);
      process.exit(1);
    },
  );
}
