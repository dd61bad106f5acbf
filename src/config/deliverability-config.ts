import { createPrivateKey, createPublicKey, KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from './config-error';

export interface DkimConfig {
  domain: string;
  selector: string;
  /** PEM, checked to be RSA of at least 2048 bits or Ed25519. */
  privateKey: string;
  algorithm: 'rsa-sha256' | 'ed25519-sha256';
}

export interface WebhookConfig {
  /** SendGrid's Event Webhook verification key, base64 DER (SubjectPublicKeyInfo) as SendGrid shows it. */
  sendgridPublicKey?: string;
  mailgunSigningKey?: string;
  postmark?: { user: string; password: string };
  /** SNS topics whose SES notifications are accepted; empty: the SES webhook is off. */
  sesTopicArns: string[];
}

const DOMAIN = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const SELECTOR = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const MIN_RSA_BITS = 2048;

export function invalid(name: string, message: string): ConfigError {
  return new ConfigError(`Invalid configuration: ${name} ${message}`);
}

/** The domain of MAIL_FROM's address, lower-case; null when it has none. */
export function mailFromDomain(mailFrom: string): string | null {
  const address = /<([^<>]+)>\s*$/.exec(mailFrom)?.[1] ?? mailFrom;
  const domain = address.split('@')[1]?.trim().toLowerCase();
  return domain && DOMAIN.test(domain) ? domain : null;
}

export interface DkimVariables {
  DKIM_DOMAIN?: string;
  DKIM_SELECTOR?: string;
  DKIM_PRIVATE_KEY_FILE?: string;
}

/**
 * All three set: signing, with a key that parses and is strong enough, for a domain that
 * DMARC will align with From (the same domain or a parent of it). None: no signature.
 * Anything in between is a mistake that would send unsigned mail unnoticed, so it stops start-up.
 */
export function dkimConfig(env: DkimVariables, mailFrom: string, readKey: (path: string) => string = readPem): DkimConfig | undefined {
  const names = ['DKIM_DOMAIN', 'DKIM_SELECTOR', 'DKIM_PRIVATE_KEY_FILE'] as const;
  const missing = names.filter((name) => !env[name]);
  if (missing.length === names.length) return undefined;
  if (missing.length > 0) throw invalid(missing[0], `must be set with ${names.filter((name) => env[name]).join(' and ')}`);
  const domain = (env.DKIM_DOMAIN as string).toLowerCase().replace(/\.$/, '');
  if (!DOMAIN.test(domain)) throw invalid('DKIM_DOMAIN', 'must be a domain name');
  const fromDomain = mailFromDomain(mailFrom);
  if (!fromDomain || !(fromDomain === domain || fromDomain.endsWith(`.${domain}`))) {
    throw invalid('DKIM_DOMAIN', "must be MAIL_FROM's domain or a parent of it (DMARC alignment)");
  }
  const selector = env.DKIM_SELECTOR as string;
  if (!SELECTOR.test(selector)) throw invalid('DKIM_SELECTOR', 'must be a DNS label (letters, digits, hyphens, dots)');
  let pem: string;
  try {
    pem = readKey(env.DKIM_PRIVATE_KEY_FILE as string);
  } catch {
    throw invalid('DKIM_PRIVATE_KEY_FILE', 'cannot be read');
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw invalid('DKIM_PRIVATE_KEY_FILE', 'is not a PEM private key');
  }
  if (key.asymmetricKeyType === 'ed25519') return { domain, selector, privateKey: pem, algorithm: 'ed25519-sha256' };
  if (key.asymmetricKeyType === 'rsa') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS) throw invalid('DKIM_PRIVATE_KEY_FILE', `is an RSA key of ${bits} bits; at least ${MIN_RSA_BITS} are needed`);
    return { domain, selector, privateKey: pem, algorithm: 'rsa-sha256' };
  }
  throw invalid('DKIM_PRIVATE_KEY_FILE', 'must be an RSA or Ed25519 key');
}

function readPem(path: string): string {
  return readFileSync(path, 'utf8');
}

export interface BounceDomainVariables {
  BOUNCE_DOMAIN?: string;
}

/** BOUNCE_DOMAIN, or MAIL_FROM's domain. */
export function bounceDomain(env: BounceDomainVariables, mailFrom: string): string {
  if (env.BOUNCE_DOMAIN) {
    const domain = env.BOUNCE_DOMAIN.toLowerCase().replace(/\.$/, '');
    if (!DOMAIN.test(domain)) throw invalid('BOUNCE_DOMAIN', 'must be a domain name');
    return domain;
  }
  const domain = mailFromDomain(mailFrom);
  if (!domain) throw invalid('MAIL_FROM', 'must contain an address with a domain');
  return domain;
}

export interface WebhookVariables {
  SENDGRID_WEBHOOK_PUBLIC_KEY?: string;
  MAILGUN_WEBHOOK_SIGNING_KEY?: string;
  POSTMARK_WEBHOOK_USER?: string;
  POSTMARK_WEBHOOK_PASSWORD?: string;
  SES_SNS_TOPIC_ARNS: string[];
}

const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

export function webhookConfig(env: WebhookVariables): WebhookConfig {
  if (env.SENDGRID_WEBHOOK_PUBLIC_KEY) {
    try {
      createPublicKey({ key: Buffer.from(env.SENDGRID_WEBHOOK_PUBLIC_KEY, 'base64'), format: 'der', type: 'spki' });
    } catch {
      throw invalid('SENDGRID_WEBHOOK_PUBLIC_KEY', 'must be the base64 DER public key SendGrid shows');
    }
  }
  if (!env.POSTMARK_WEBHOOK_USER !== !env.POSTMARK_WEBHOOK_PASSWORD) {
    throw invalid(env.POSTMARK_WEBHOOK_USER ? 'POSTMARK_WEBHOOK_PASSWORD' : 'POSTMARK_WEBHOOK_USER', 'must be set with the other one');
  }
  const badArn = env.SES_SNS_TOPIC_ARNS.find((arn) => !TOPIC_ARN.test(arn));
  if (badArn !== undefined) throw invalid('SES_SNS_TOPIC_ARNS', 'must be comma-separated SNS topic ARNs');
  return {
    sendgridPublicKey: env.SENDGRID_WEBHOOK_PUBLIC_KEY,
    mailgunSigningKey: env.MAILGUN_WEBHOOK_SIGNING_KEY,
    postmark:
      env.POSTMARK_WEBHOOK_USER && env.POSTMARK_WEBHOOK_PASSWORD ? { user: env.POSTMARK_WEBHOOK_USER, password: env.POSTMARK_WEBHOOK_PASSWORD } : undefined,
    sesTopicArns: env.SES_SNS_TOPIC_ARNS,
  };
}
