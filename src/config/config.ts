import { readFileSync } from 'node:fs';
import { envSchema } from './config.schema';
import { ConfigError } from './config-error';
import { bounceDomain, dkimConfig, DkimConfig, invalid, WebhookConfig, webhookConfig } from './deliverability-config';

export { ConfigError } from './config-error';
export type { DkimConfig, WebhookConfig } from './deliverability-config';
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
  smtp: {
    url: string;
    from: string;
    poolSize: number;
    /** STARTTLS must succeed (smtp://) before anything is sent; smtps:// is TLS from the start anyway. */
    requireTls: boolean;
    /** PEM of the CA(s) the relay's certificate must chain to; unset: the system's. */
    ca?: string;
  };
  /** Unset: mail goes out unsigned. */
  dkim?: DkimConfig;
  bounces: {
    /** Right-hand side of every envelope sender, bounces+<reference>@domain. */
    domain: string;
    /** The inbound SMTP listener for bounces and complaints; unset: off. */
    listener?: { port: number; host: string; maxMessageBytes: number; maxSessionsPerMinute: number };
    /** Soft bounces suppress an address only after `limit` in a row spanning at least `days`. */
    softBounceLimit: number;
    softBounceDays: number;
  };
  webhooks: WebhookConfig;
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
  /** Staff addresses that receive test alerts (normalised); empty: email tests are off. */
  alertTestRecipients: string[];
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
    smtp: {
      url: env.SMTP_URL,
      from: env.MAIL_FROM,
      poolSize: env.SMTP_POOL_SIZE,
      requireTls: env.SMTP_REQUIRE_TLS ?? !isLoopbackRelay(env.SMTP_URL),
      ca: env.SMTP_CA_FILE === undefined ? undefined : readCa(env.SMTP_CA_FILE),
    },
    dkim: dkimConfig(env, env.MAIL_FROM),
    bounces: {
      domain: bounceDomain(env, env.MAIL_FROM),
      listener:
        env.BOUNCE_SMTP_PORT === undefined
          ? undefined
          : {
              port: env.BOUNCE_SMTP_PORT,
              host: env.BOUNCE_SMTP_HOST,
              maxMessageBytes: env.BOUNCE_MAX_MESSAGE_BYTES,
              maxSessionsPerMinute: env.BOUNCE_MAX_SESSIONS_PER_MINUTE,
            },
      softBounceLimit: env.SOFT_BOUNCE_LIMIT,
      softBounceDays: env.SOFT_BOUNCE_DAYS,
    },
    webhooks: webhookConfig(env),
    publicBaseUrl: env.PUBLIC_BASE_URL,
    tokenSecret: env.TOKEN_SECRET as string,
    editorApiKeys: env.EDITOR_API_KEYS,
    digestTickCron: env.DIGEST_TICK_CRON,
    deliveryBatchSize: env.DELIVERY_BATCH_SIZE,
    deliveryLeaseSeconds: env.DELIVERY_LEASE_SECONDS,
    logLevel: env.LOG_LEVEL,
    trustProxy: env.TRUST_PROXY,
    alertTestRecipients: env.ALERT_TEST_RECIPIENTS,
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

/** A relay on this machine (a local MTA, a test server) is reached without TLS unless SMTP_REQUIRE_TLS says otherwise. */
function isLoopbackRelay(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

function readCa(path: string): string {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch {
    throw invalid('SMTP_CA_FILE', 'cannot be read');
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw invalid('SMTP_CA_FILE', 'must hold PEM certificates');
  return pem;
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (child && typeof child === 'object') deepFreeze(child);
  }
  return Object.freeze(value);
}
