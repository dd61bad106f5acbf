import { Logger } from '@nestjs/common';
import { Kafka, logLevel, LogEntry } from 'kafkajs';
import { AppConfig } from '../config/config';

export const KAFKA = Symbol('KAFKA');

const LEVELS: Record<number, 'error' | 'warn' | 'log' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'log',
  [logLevel.DEBUG]: 'debug',
};

/**
 * The Nest level for a kafkajs log entry. kafkajs logs every failed request at
 * ERROR in its Connection namespace, including answers it retries by itself, such
 * as "This server does not host this topic-partition" while a new topic's leader
 * is elected. Those are warnings: what fails for good reaches our code as an
 * exception or a consumer crash, and is logged there as an error.
 */
export function nestLevelFor(entry: Pick<LogEntry, 'namespace' | 'level'>): 'error' | 'warn' | 'log' | 'debug' {
  if (entry.namespace === 'Connection' && entry.level === logLevel.ERROR) return 'warn';
  return LEVELS[entry.level] ?? 'log';
}

/** kafkajs logs through Nest's logger so its lines are structured like ours. */
export function createKafka(config: AppConfig): Kafka {
  return new Kafka({
    clientId: config.kafka.clientId,
    brokers: [...config.kafka.brokers],
    logLevel: logLevel.WARN,
    connectionTimeout: 3000,
    requestTimeout: 30000,
    // Retries are bounded; past them the consumer crashes and restarts itself
    // (restartOnFailure), which is what brings it back after a broker outage.
    retry: { initialRetryTime: 300, retries: 8, maxRetryTime: 10000 },
    logCreator: () => (entry: LogEntry) => {
      const logger = new Logger(`kafkajs:${entry.namespace}`);
      const { message, ...extra } = entry.log;
      logger[nestLevelFor(entry)]({ ...extra, msg: message });
    },
  });
}
