import { isIP } from 'node:net';
import { z } from 'zod';

const DEV_TOKEN_SECRET = 'dispatch-development-secret-not-for-production';

const csv = (value: string) =>
  value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);

const absoluteHttpUrl = z
  .string()
  .url()
  .refine((value) => /^https?:$/.test(new URL(value).protocol), 'must be an http(s) URL')
  .transform((value) => value.replace(/\/+$/, ''));

/** An unset or empty variable: both mean "not configured". */
const optionalText = z
  .string()
  .optional()
  .transform((value) => (value && value.trim() ? value.trim() : undefined));
/** Express's names for address ranges, accepted beside addresses and CIDRs. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isProxyAddress(entry: string): boolean {
  if (PROXY_RANGE_NAMES.has(entry)) return true;
  const [address, prefix, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && bits >= 0 && bits <= (family === 4 ? 32 : 128);
}

/**
 * TRUST_PROXY (Express `trust proxy` semantics): unset, the TCP peer is the client;
 * a hop count; or the proxies' addresses / CIDRs.
 */
const trustProxy = z
  .string()
  .optional()
  .transform((value, ctx): false | number | string[] => {
    const trimmed = value?.trim() ?? '';
    if (trimmed === '') return false;
    if (/^\d+$/.test(trimmed)) {
      const hops = Number(trimmed);
      if (hops <= 32) return hops;
    }
    const entries = csv(trimmed);
    if (entries.length > 0 && entries.every(isProxyAddress)) return entries;
    ctx.addIssue({ code: 'custom', message: 'must be a hop count (e.g. 1) or comma-separated proxy addresses / CIDRs (e.g. 10.0.0.0/8,127.0.0.1)' });
    return z.NEVER;
  });

/** Every environment variable the service reads, with CONTRACT.md's defaults. */
export const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('production'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL')
      .default('postgresql://postgres@127.0.0.1:5432/dispatch'),
    KAFKA_BROKERS: z
      .string()
      .default('127.0.0.1:9092')
      .transform(csv)
      .refine((brokers) => brokers.length > 0 && brokers.every((b) => /^[^\s:]+:\d+$/.test(b)), 'must be host:port[,host:port…]'),
    KAFKA_CLIENT_ID: z.string().min(1).default('dispatch'),
    KAFKA_GROUP_ID: z.string().min(1).default('dispatch'),
    KAFKA_TOPIC_ARTICLES: z.string().min(1).default('articles.published'),
    KAFKA_TOPIC_DLQ: z.string().min(1).default('articles.published.dlq'),
    KAFKA_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(4),
    // The broker's group.min/max.session.timeout.ms bound it (6 s … 30 min by default).
    KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6_000).max(1_800_000).default(30_000),
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
      .default('smtp://127.0.0.1:1025'),
    MAIL_FROM: z.string().min(3).default('Dispatch <news@localhost>'),
    PUBLIC_BASE_URL: absoluteHttpUrl.default('http://localhost:3000'),
    TOKEN_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
    EDITOR_API_KEYS: z.string().default('').transform(csv),
    DIGEST_TICK_CRON: z
      .string()
      .default('*/5 * * * *')
      .refine((value) => value.trim().split(/\s+/).length >= 5, 'must be a cron expression'),
    SMTP_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(8),
    DELIVERY_LEASE_SECONDS: z.coerce.number().int().min(5).max(3600).default(120),
    DELIVERY_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(200),
    /** Trusted CA(s) for the relay's certificate (PEM file); unset: the system's CAs. */
    SMTP_REQUIRE_TLS: z
      .enum(['true', 'false'])
      .optional()
      .transform((value) => (value === undefined ? undefined : value === 'true')),
    SMTP_CA_FILE: z.string().min(1).optional(),
    DKIM_DOMAIN: optionalText,
    DKIM_SELECTOR: optionalText,
    DKIM_PRIVATE_KEY_FILE: optionalText,
    BOUNCE_DOMAIN: optionalText,
    BOUNCE_SMTP_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    BOUNCE_SMTP_HOST: z.string().min(1).default('0.0.0.0'),
    /** Largest bounce or complaint report the listener accepts. */
    BOUNCE_MAX_MESSAGE_BYTES: z.coerce.number().int().min(10_000).max(50_000_000).default(1_000_000),
    /** SMTP sessions one client may open per minute on the bounce listener. */
    BOUNCE_MAX_SESSIONS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(600),
    SENDGRID_WEBHOOK_PUBLIC_KEY: optionalText,
    MAILGUN_WEBHOOK_SIGNING_KEY: optionalText,
    POSTMARK_WEBHOOK_USER: optionalText,
    POSTMARK_WEBHOOK_PASSWORD: optionalText,
    SES_SNS_TOPIC_ARNS: z.string().default('').transform(csv),
    /** Soft bounces in a row before an address is suppressed … */
    SOFT_BOUNCE_LIMIT: z.coerce.number().int().min(2).max(100).default(5),
    /** … and the least number of days they must span. */
    SOFT_BOUNCE_DAYS: z.coerce.number().min(3).max(365).default(3),
    TRUST_PROXY: trustProxy,
    DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
    DB_LOCK_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
    CONSUMER_BATCH_DEADLINE_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(120_000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .transform(({ TOKEN_SECRET, NODE_ENV, ...rest }) => ({
    ...rest,
    NODE_ENV,
    TOKEN_SECRET: TOKEN_SECRET ?? (NODE_ENV === 'production' ? undefined : DEV_TOKEN_SECRET),
  }))
  .superRefine((env, ctx) => {
    if (!env.TOKEN_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['TOKEN_SECRET'], message: 'is required when NODE_ENV=production' });
    }
  });

export type Env = z.output<typeof envSchema>;
