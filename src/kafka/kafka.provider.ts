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
      logger[LEVELS[entry.level] ?? 'log']({ ...extra, msg: message });
    },
  });
}
