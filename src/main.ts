import 'reflect-metadata';
import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule, AppOptions } from './app.module';
import { AppConfig, ConfigError, loadConfig } from './config/config';
import { configureHttp } from './http/configure-http';

/**
 * A shutdown that takes longer than this is stuck (an SMTP server or broker that
 * stopped answering): the process then exits non-zero rather than outlive the
 * orchestrator's grace period (Kubernetes waits 30 s before SIGKILL).
 */
export const SHUTDOWN_TIMEOUT_MS = 25_000;

/** Builds the service for a given configuration; tests and main() share it. */
export async function createApp(config: AppConfig, options: AppOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, options), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  configureHttp(app, config.trustProxy);
  return app;
}

/**
 * SIGTERM / SIGINT: stop accepting connections, then app.close() — the consumer
 * finishes its batch and commits, the scheduler and digest runs stop between
 * batches, the outbox worker finishes its sends and gives back unstarted rows,
 * then the SMTP pool and the database close — and exit 0. Nest's own
 * enableShutdownHooks() is not used: it ends by re-raising the signal, so the
 * exit status would say "killed" even after a clean shutdown.
 */
export function exitCleanlyOnSignals(app: NestExpressApplication, timeoutMs = SHUTDOWN_TIMEOUT_MS): void {
  const logger = new NestLogger('Shutdown');
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal, msg: 'already shutting down' });
      return;
    }
    stopping = true;
    logger.log({ signal, timeoutMs, msg: 'shutting down: taking no new work, finishing what is in flight' });
    const deadline = setTimeout(() => {
      logger.error({ timeoutMs, msg: 'shutdown did not finish in time; exiting with work possibly unfinished' });
      process.exit(1);
    }, timeoutMs);
    app.getHttpServer().close();
    app.close().then(
      () => {
        clearTimeout(deadline);
        logger.log({ msg: 'shut down cleanly' });
        process.exit(0);
      },
      (error: Error) => {
        clearTimeout(deadline);
        logger.error({ err: error.message, msg: 'shutdown failed' });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const app = await createApp(config);
  exitCleanlyOnSignals(app);
  await app.listen(config.port);
}

if (require.main === module) {
  void main();
}
