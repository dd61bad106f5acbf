import { envSchema } from './config.schema';

/** The service's configuration: read from the environment once, at boot, then frozen. */
export interface AppConfig {
  env: 'development' | 'test' | 'production';
  port: number;
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
  /** Web push; null when the VAPID keys are unset (push off: its endpoints answer 404). */
  push: PushConfig | null;
}

export interface PushConfig {
  vapid: { publicKey: string; privateKey: string; subject: string };
  /** Hosts a push endpoint may point at, exactly as configured ("*.domain" for any name under it). */
  endpointHosts: string[];
  /** Origins allowed to call the push-subscription endpoints from a browser. */
  allowedOrigins: string[];
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
    databaseUrl: env.DATABASE_URL,
    kafka: {
      brokers: env.KAFKA_BROKERS,
      clientId: env.KAFKA_CLIENT_ID,
      groupId: env.KAFKA_GROUP_ID,
      articlesTopic: env.KAFKA_TOPIC_ARTICLES,
      dlqTopic: env.KAFKA_TOPIC_DLQ,
      partitions: env.KAFKA_TOPIC_PARTITIONS,
      sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
    },
    smtp: { url: env.SMTP_URL, from: env.MAIL_FROM, poolSize: env.SMTP_POOL_SIZE },
    publicBaseUrl: env.PUBLIC_BASE_URL,
    tokenSecret: env.TOKEN_SECRET as string,
    editorApiKeys: env.EDITOR_API_KEYS,
    digestTickCron: env.DIGEST_TICK_CRON,
    deliveryBatchSize: env.DELIVERY_BATCH_SIZE,
    deliveryLeaseSeconds: env.DELIVERY_LEASE_SECONDS,
    logLevel: env.LOG_LEVEL,
    push:
      env.VAPID_PUBLIC_KEY && env.VAPID_PRIVATE_KEY && env.VAPID_SUBJECT
        ? {
            vapid: { publicKey: env.VAPID_PUBLIC_KEY, privateKey: env.VAPID_PRIVATE_KEY, subject: env.VAPID_SUBJECT },
            endpointHosts: env.PUSH_ENDPOINT_HOSTS,
            allowedOrigins: env.PUSH_ALLOWED_ORIGINS,
          }
        : null,
  });
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (child && typeof child === 'object') deepFreeze(child);
  }
  return Object.freeze(value);
}
