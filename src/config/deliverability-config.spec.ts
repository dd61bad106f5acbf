import { aDkimKey } from '../mail/testing/dkim-keys';
import { bounceDomain, dkimConfig, webhookConfig } from './deliverability-config';
import { generateKeyPairSync } from 'node:crypto';

const rsa = aDkimKey('rsa').privateKeyPem;
const ed25519 = aDkimKey('ed25519').privateKeyPem;
const keyFile = (pem: string) => () => pem;
const FROM = 'Dispatch <news@mail.example.com>';

describe('deliverability configuration', () => {
  describe(dkimConfig.name, () => {
    it('is off when none of the three is set', () => {
      expect(dkimConfig({}, FROM)).toBeUndefined();
    });

    it('takes RSA-2048 and Ed25519 keys, for From’s domain or a parent of it', () => {
      expect(dkimConfig({ DKIM_DOMAIN: 'mail.example.com', DKIM_SELECTOR: 's1', DKIM_PRIVATE_KEY_FILE: 'k' }, FROM, keyFile(rsa))?.algorithm).toBe('rsa-sha256');
      expect(dkimConfig({ DKIM_DOMAIN: 'Example.com', DKIM_SELECTOR: 's1', DKIM_PRIVATE_KEY_FILE: 'k' }, FROM, keyFile(ed25519))).toMatchObject({
        domain: 'example.com',
        algorithm: 'ed25519-sha256',
      });
    });

    it.each([
      [{ DKIM_DOMAIN: 'example.com' }, 'DKIM_SELECTOR'],
      [{ DKIM_DOMAIN: 'example.com', DKIM_SELECTOR: 's1' }, 'DKIM_PRIVATE_KEY_FILE'],
      [{ DKIM_PRIVATE_KEY_FILE: 'k' }, 'DKIM_DOMAIN'],
      [{ DKIM_DOMAIN: 'other.org', DKIM_SELECTOR: 's1', DKIM_PRIVATE_KEY_FILE: 'k' }, 'DKIM_DOMAIN'],
      [{ DKIM_DOMAIN: 'ample.com', DKIM_SELECTOR: 's1', DKIM_PRIVATE_KEY_FILE: 'k' }, 'DKIM_DOMAIN'],
      [{ DKIM_DOMAIN: 'example.com', DKIM_SELECTOR: 'bad selector', DKIM_PRIVATE_KEY_FILE: 'k' }, 'DKIM_SELECTOR'],
    ])('refuses partial or misaligned settings %j, naming %s', (env, name) => {
      expect(() => dkimConfig(env, FROM, keyFile(rsa))).toThrow(new RegExp(`^Invalid configuration: ${name} `));
    });

    it('refuses a key that does not parse, a weak RSA key, and other key types, naming DKIM_PRIVATE_KEY_FILE', () => {
      const env = { DKIM_DOMAIN: 'example.com', DKIM_SELECTOR: 's1', DKIM_PRIVATE_KEY_FILE: 'k' };
      const weak = aDkimKey('rsa', 1024).privateKeyPem;
      const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      expect(() => dkimConfig(env, FROM, keyFile('not a key'))).toThrow(/^Invalid configuration: DKIM_PRIVATE_KEY_FILE is not a PEM private key/);
      expect(() => dkimConfig(env, FROM, keyFile(weak))).toThrow(/^Invalid configuration: DKIM_PRIVATE_KEY_FILE is an RSA key of 1024 bits/);
      expect(() => dkimConfig(env, FROM, keyFile(ec))).toThrow(/^Invalid configuration: DKIM_PRIVATE_KEY_FILE must be an RSA or Ed25519 key/);
      expect(() =>
        dkimConfig(env, FROM, () => {
          throw new Error('ENOENT');
        }),
      ).toThrow(/^Invalid configuration: DKIM_PRIVATE_KEY_FILE cannot be read/);
    });
  });

  describe(bounceDomain.name, () => {
    it('defaults to MAIL_FROM’s domain and checks an explicit one', () => {
      expect(bounceDomain({}, FROM)).toBe('mail.example.com');
      expect(bounceDomain({ BOUNCE_DOMAIN: 'Bounces.Example.com' }, FROM)).toBe('bounces.example.com');
      expect(() => bounceDomain({ BOUNCE_DOMAIN: 'not a domain' }, FROM)).toThrow(/^Invalid configuration: BOUNCE_DOMAIN /);
    });
  });

  describe(webhookConfig.name, () => {
    it('needs both Postmark credentials, a real SendGrid key and real topic ARNs', () => {
      expect(() => webhookConfig({ POSTMARK_WEBHOOK_USER: 'u', SES_SNS_TOPIC_ARNS: [] })).toThrow(/^Invalid configuration: POSTMARK_WEBHOOK_PASSWORD /);
      expect(() => webhookConfig({ SENDGRID_WEBHOOK_PUBLIC_KEY: 'bm90IGEga2V5', SES_SNS_TOPIC_ARNS: [] })).toThrow(/^Invalid configuration: SENDGRID_WEBHOOK_PUBLIC_KEY /);
      expect(() => webhookConfig({ SES_SNS_TOPIC_ARNS: ['my-topic'] })).toThrow(/^Invalid configuration: SES_SNS_TOPIC_ARNS /);
      const spki = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
      expect(
        webhookConfig({ SENDGRID_WEBHOOK_PUBLIC_KEY: spki, SES_SNS_TOPIC_ARNS: ['arn:aws:sns:eu-west-1:123456789012:ses-feedback'] }),
      ).toMatchObject({ sendgridPublicKey: spki, sesTopicArns: ['arn:aws:sns:eu-west-1:123456789012:ses-feedback'] });
    });
  });
});
