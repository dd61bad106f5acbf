import { envSchema } from './config.schema';
import { withSessionTimeouts } from './database-url';

/** The service's configuration: read from the environment once, at boot, then frozen. */
export interface AppConfig {
  env: 'development' | 'test' | 'production';
  port: number;
  /**
   * DATABASE_URL with statement_timeout and lock_timeout added (DB_STATEMENT_TIMEOUT_MS,
   * DB_LOCK_TIMEOUT_MS): every connection made from it has them, so a lock or a query
   * that never returns ends in an error instead of holding its caller for ever.
   */
  databaseUrl: string;
  kafka: {
    brokers: string[];
    clientId: string;
    groupId: string;
    articlesTopic: string;
    dlqTopic: string;
    partitions: number;
    /** How long the group waits for a silent member (a crashed instance) before giving its partitions away. */
    sessionTimeoutMs: number;
    /** Longest a batch may take to be stored: past it the batch fails (logged) and health turns red. */
    batchDeadlineMs: number;
  };
  smtp: { url: string; from: string; poolSize: number };
  publicBaseUrl: string;
  tokenSecret: string;
  editorApiKeys: string[];
  digestTickCron: string;
  deliveryBatchSize: number;
  /** How long a claimed delivery may stay "sending" before it counts as uncertain. */
  deliveryLeaseSeconds: number;
  logLevel: string;
  /** Express `trust proxy`: which hops may name the client in X-Forwarded-For (false: none). */
  trustProxy: false | number | string[];
}

export class ConfigError extends Error {}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0] ?? 'environment');
    throw new ConfigError(`Invalid configuration: ${name} ${issue.message}`);
  }
  const env = parsed.data;
  return deepFreeze({
    env: env.NODE_ENV,
    port: env.PORT,
    databaseUrl: withSessionTimeouts(env.DATABASE_URL, { statementMs: env.DB_STATEMENT_TIMEOUT_MS, lockMs: env.DB_LOCK_TIMEOUT_MS }),
    kafka: {
      brokers: env.KAFKA_BROKERS,
      clientId: env.KAFKA_CLIENT_ID,
      groupId: env.KAFKA_GROUP_ID,
      articlesTopic: env.KAFKA_TOPIC_ARTICLES,
      dlqTopic: env.KAFKA_TOPIC_DLQ,
      partitions: env.KAFKA_TOPIC_PARTITIONS,
      sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
      batchDeadlineMs: env.CONSUMER_BATCH_DEADLINE_MS,
    },
    smtp: { url: env.SMTP_URL, from: env.MAIL_FROM, poolSize: env.SMTP_POOL_SIZE },
    publicBaseUrl: env.PUBLIC_BASE_URL,
    tokenSecret: env.TOKEN_SECRET as string,
    editorApiKeys: env.EDITOR_API_KEYS,
    digestTickCron: env.DIGEST_TICK_CRON,
    deliveryBatchSize: env.DELIVERY_BATCH_SIZE,
    deliveryLeaseSeconds: env.DELIVERY_LEASE_SECONDS,
    logLevel: env.LOG_LEVEL,
    trustProxy: env.TRUST_PROXY,
  });
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (child && typeof child === 'object') deepFreeze(child);
  }
  return Object.freeze(value);
}
