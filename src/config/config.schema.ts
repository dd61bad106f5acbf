import { isIP } from 'node:net';
import { createECDH } from 'node:crypto';
import { z } from 'zod';
import { normalizeEmailAddress } from '../subscriptions/email-address';

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
/**
 * ALERT_TEST_RECIPIENTS: staff addresses, normalised like a reader's so an existing
 * subscriber row is found. A bad entry is named by its position, not echoed.
 */
const testRecipients = z
  .string()
  .default('')
  .transform((value, ctx): string[] => {
    const addresses: string[] = [];
    for (const [index, entry] of csv(value).entries()) {
      const normalized = normalizeEmailAddress(entry);
      if (!normalized.ok) {
        ctx.addIssue({ code: 'custom', message: `must be comma-separated email addresses (entry ${index + 1} ${normalized.reason})` });
        return z.NEVER;
      }
      if (!addresses.includes(normalized.email)) addresses.push(normalized.email);
    }
    return addresses;
  });

/** The public push services' hosts (FCM, Mozilla, Apple, Windows): where browsers' push endpoints point. */
export const DEFAULT_PUSH_ENDPOINT_HOSTS = ['fcm.googleapis.com', 'updates.push.services.mozilla.com', 'web.push.apple.com', '*.notify.windows.com'];

const base64url = (bytes: number, what: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, `must be ${what} in URL-safe base64 (npm run dispatch -- push:keys makes a pair)`)
    .refine((value) => Buffer.from(value, 'base64url').length === bytes, `must be ${what} (${bytes} bytes, URL-safe base64; npm run dispatch -- push:keys makes a pair)`);

/** A host name or address, or "*." and a domain for any name under it: nothing else, so the list says exactly where pushes may go. */
const pushHost = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$|^\[[0-9a-f:.]+\]$/;

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
    VAPID_PUBLIC_KEY: base64url(65, 'an uncompressed P-256 public key').refine((value) => Buffer.from(value, 'base64url')[0] === 4, 'must be an uncompressed P-256 public key (starting with 0x04)').optional(),
    VAPID_PRIVATE_KEY: base64url(32, 'a P-256 private key').optional(),
    VAPID_SUBJECT: z
      .string()
      .refine((value) => /^mailto:[^\s@]+@[^\s@]+$/.test(value) || /^https:\/\/[^\s]+$/.test(value), 'must be a mailto: address or an https: URL (RFC 8292)')
      .optional(),
    PUSH_ENDPOINT_HOSTS: z
      .string()
      .default(DEFAULT_PUSH_ENDPOINT_HOSTS.join(','))
      .transform((value) => csv(value).map((host) => host.toLowerCase()))
      .refine((hosts) => hosts.length > 0 && hosts.every((host) => pushHost.test(host)), 'must be host names or addresses, comma-separated ("*.example.com" for any name under a domain)'),
    PUSH_ALLOWED_ORIGINS: z
      .string()
      .default('')
      .transform(csv)
      .refine((origins) => origins.every((origin) => /^https?:\/\/[^/\s]+$/.test(origin) && new URL(origin).origin === origin), 'must be origins like https://news.example.com (scheme, host, optional port; no path), comma-separated'),
    ALERT_TEST_RECIPIENTS: testRecipients,
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
    const vapid = ['VAPID_PUBLIC_KEY', 'VAPID_PRIVATE_KEY', 'VAPID_SUBJECT'] as const;
    const missing = vapid.filter((name) => env[name] === undefined);
    if (missing.length > 0 && missing.length < vapid.length) {
      ctx.addIssue({ code: 'custom', path: [missing[0]], message: 'is required when any of VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY, VAPID_SUBJECT is set (all three or none)' });
    } else if (env.VAPID_PUBLIC_KEY && env.VAPID_PRIVATE_KEY && !vapidPairMatches(env.VAPID_PUBLIC_KEY, env.VAPID_PRIVATE_KEY)) {
      ctx.addIssue({ code: 'custom', path: ['VAPID_PRIVATE_KEY'], message: 'is not the private key of VAPID_PUBLIC_KEY' });
    }
  });

/** Push services check the JWT against the public key browsers subscribed with: a mismatched pair fails every push. */
function vapidPairMatches(publicKey: string, privateKey: string): boolean {
  try {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(Buffer.from(privateKey, 'base64url'));
    return ecdh.getPublicKey().equals(Buffer.from(publicKey, 'base64url'));
  } catch {
    return false;
  }
}

export type Env = z.output<typeof envSchema>;
