import { generateVAPIDKeys } from 'web-push';
import { ConfigError, loadConfig } from './config';

describe('push configuration', () => {
  const keys = generateVAPIDKeys();
  const vapid = { VAPID_PUBLIC_KEY: keys.publicKey, VAPID_PRIVATE_KEY: keys.privateKey, VAPID_SUBJECT: 'mailto:ops@example.com' };
  const load = (env: Record<string, string>) => loadConfig({ NODE_ENV: 'test', ...env });
  const refusal = (env: Record<string, string>) => {
    try {
      load(env);
    } catch (error) {
      if (error instanceof ConfigError) return error.message;
      throw error;
    }
    throw new Error('configuration was accepted');
  };

  it('is off without the VAPID keys', () => {
    expect(load({}).push).toBeNull();
  });

  it('defaults to the public push services and no browser origins', () => {
    expect(load(vapid).push).toEqual({
      vapid: { publicKey: keys.publicKey, privateKey: keys.privateKey, subject: 'mailto:ops@example.com' },
      endpointHosts: ['fcm.googleapis.com', 'updates.push.services.mozilla.com', 'web.push.apple.com', '*.notify.windows.com'],
      allowedOrigins: [],
    });
  });

  it('takes the hosts and origins as listed', () => {
    const push = load({ ...vapid, PUSH_ENDPOINT_HOSTS: 'localhost, 127.0.0.1', PUSH_ALLOWED_ORIGINS: 'https://news.example.com,http://localhost:8080' }).push;
    expect(push?.endpointHosts).toEqual(['localhost', '127.0.0.1']);
    expect(push?.allowedOrigins).toEqual(['https://news.example.com', 'http://localhost:8080']);
  });

  it.each([
    [{ VAPID_PUBLIC_KEY: keys.publicKey }, 'VAPID_PRIVATE_KEY'],
    [{ VAPID_PUBLIC_KEY: keys.publicKey, VAPID_PRIVATE_KEY: keys.privateKey }, 'VAPID_SUBJECT'],
    [{ VAPID_SUBJECT: 'mailto:a@b.c' }, 'VAPID_PUBLIC_KEY'],
    [{ ...vapid, VAPID_PUBLIC_KEY: 'not-a-key' }, 'VAPID_PUBLIC_KEY'],
    [{ ...vapid, VAPID_PRIVATE_KEY: generateVAPIDKeys().privateKey }, 'VAPID_PRIVATE_KEY'],
    [{ ...vapid, VAPID_SUBJECT: 'http://example.com' }, 'VAPID_SUBJECT'],
    [{ ...vapid, PUSH_ENDPOINT_HOSTS: 'https://fcm.googleapis.com' }, 'PUSH_ENDPOINT_HOSTS'],
    [{ ...vapid, PUSH_ENDPOINT_HOSTS: ' , ' }, 'PUSH_ENDPOINT_HOSTS'],
    [{ ...vapid, PUSH_ALLOWED_ORIGINS: 'https://news.example.com/path' }, 'PUSH_ALLOWED_ORIGINS'],
  ])('refuses to start, naming the variable: %j', (env, name) => {
    expect(refusal(env)).toMatch(new RegExp(`^Invalid configuration: ${name} `));
  });
});
