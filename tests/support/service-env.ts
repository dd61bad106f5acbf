import { kafkaBrokers, uniqueName } from './kafka';

/** The editor key every test service accepts. */
export const EDITOR_KEY = 'test-editor-key-0123456789';

/** A test service's own topics and consumer group, so services never share offsets. */
export interface ServiceTopics {
  articles: string;
  dlq: string;
  group: string;
}

export function uniqueTopics(): ServiceTopics {
  return { articles: uniqueName('articles'), dlq: uniqueName('articles-dlq'), group: uniqueName('dispatch') };
}

/** The environment a test service runs with, in process or as a child process; `overrides` win. */
export function serviceEnv(service: {
  port: number;
  databaseUrl: string;
  smtpUrl: string;
  topics: ServiceTopics;
  clientId: string;
  logLevel: string;
  overrides?: Readonly<Record<string, string>>;
}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    PORT: String(service.port),
    DATABASE_URL: service.databaseUrl,
    KAFKA_BROKERS: kafkaBrokers().join(','),
    KAFKA_CLIENT_ID: service.clientId,
    KAFKA_GROUP_ID: service.topics.group,
    KAFKA_TOPIC_ARTICLES: service.topics.articles,
    KAFKA_TOPIC_DLQ: service.topics.dlq,
    SMTP_URL: service.smtpUrl,
    MAIL_FROM: 'Dispatch <news@dispatch.test>',
    PUBLIC_BASE_URL: `http://127.0.0.1:${service.port}`,
    EDITOR_API_KEYS: EDITOR_KEY,
    LOG_LEVEL: service.logLevel,
    ...service.overrides,
  };
}
