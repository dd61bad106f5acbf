import { ConfigError, loadConfig } from './config';

const base = { NODE_ENV: 'test' };

describe(loadConfig.name, () => {
  describe('TRUST_PROXY', () => {
    it('trusts no proxy when unset or empty: the TCP peer is the client', () => {
      expect(loadConfig(base).trustProxy).toBe(false);
      expect(loadConfig({ ...base, TRUST_PROXY: ' ' }).trustProxy).toBe(false);
    });

    it('reads a hop count', () => {
      expect(loadConfig({ ...base, TRUST_PROXY: '1' }).trustProxy).toBe(1);
      expect(loadConfig({ ...base, TRUST_PROXY: '2' }).trustProxy).toBe(2);
    });

    it('reads proxy addresses and CIDRs, IPv4 and IPv6', () => {
      expect(loadConfig({ ...base, TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,fd00::/8,::1, loopback' }).trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1', 'fd00::/8', '::1', 'loopback']);
    });

    it.each(['yes', 'true', '10.0.0.0/33', '10.0.0/8', 'proxy.internal', ',', '-1', '1.5', '10.0.0.0/8/1'])('refuses %j, naming the variable', (value) => {
      expect(() => loadConfig({ ...base, TRUST_PROXY: value })).toThrow(ConfigError);
      expect(() => loadConfig({ ...base, TRUST_PROXY: value })).toThrow(/^Invalid configuration: TRUST_PROXY /);
    });
  });

  describe('ALERT_TEST_RECIPIENTS', () => {
    it('is empty when unset', () => {
      expect(loadConfig(base).alertTestRecipients).toEqual([]);
    });

    it('reads comma-separated addresses, normalised and without repeats', () => {
      expect(loadConfig({ ...base, ALERT_TEST_RECIPIENTS: ' desk@News.Example.com, Night@news.example.com,desk@news.example.com ' }).alertTestRecipients).toEqual([
        'desk@news.example.com',
        'Night@news.example.com',
      ]);
    });

    it.each(['desk', 'desk@news.example.com, "a b"@news.example.com', 'a@b.example.com\r\nBcc: x@y.example.com', 'desk@news.example.com;night@news.example.com'])(
      'refuses %j at start-up, naming the variable and not the address',
      (value) => {
        expect(() => loadConfig({ ...base, ALERT_TEST_RECIPIENTS: value })).toThrow(/^Invalid configuration: ALERT_TEST_RECIPIENTS must be comma-separated email addresses \(entry \d/);
      },
    );
  });
});
