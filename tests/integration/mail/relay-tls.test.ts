import { AddressInfo } from 'node:net';
import { SMTPServer, SMTPServerOptions } from 'smtp-server';
import { loadConfig } from '../../../src/config/config';
import { SmtpTransport } from '../../../src/mail/smtp-transport';
import { aTestCa, TestCa } from '../../support/test-ca';

jest.setTimeout(60_000);

const MESSAGE = Buffer.from('From: news@dispatch.test\r\nTo: reader@readers.test\r\nSubject: hello\r\nMessage-ID: <tls@dispatch.test>\r\n\r\nhello\r\n');

interface Relay {
  url: (scheme: 'smtp' | 'smtps') => string;
  /** Whether each accepted message came over TLS. */
  received: boolean[];
  close(): Promise<void>;
}

async function aRelay(options: SMTPServerOptions): Promise<Relay> {
  const received: boolean[] = [];
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    ...options,
    onData(stream, session, callback) {
      stream.resume();
      stream.on('end', () => {
        received.push(session.secure);
        callback();
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { url: (scheme) => `${scheme}://127.0.0.1:${port}`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * TLS to the relay: smtps:// and STARTTLS, the relay's certificate checked against a
 * configurable CA, and no quiet fall-back to plain text when TLS is required.
 */
describe('SMTP to the relay over TLS', () => {
  let ca: TestCa;
  let otherCa: TestCa;
  const relays: Relay[] = [];

  beforeAll(() => {
    ca = aTestCa();
    otherCa = aTestCa();
  });

  afterAll(async () => {
    await Promise.all(relays.map((relay) => relay.close()));
  });

  async function relay(options: SMTPServerOptions): Promise<Relay> {
    const started = await aRelay(options);
    relays.push(started);
    return started;
  }

  async function send(url: string, options: { ca?: string; requireTls?: boolean }) {
    const transport = new SmtpTransport({ url, maxConnections: 1, ...options, connectionTimeoutMs: 5_000, greetingTimeoutMs: 5_000 });
    try {
      return await transport.send({ from: 'bounces+a-b@dispatch.test', to: 'reader@readers.test' }, MESSAGE, '<tls@dispatch.test>');
    } finally {
      await transport.close();
    }
  }

  it('sends over smtps:// to a relay whose certificate chains to SMTP_CA_FILE', async () => {
    const server = await relay({ secure: true, key: ca.server.keyPem, cert: ca.server.certPem });

    expect(await send(server.url('smtps'), { ca: ca.caPem })).toMatchObject({ status: 'sent' });
    expect(server.received).toEqual([true]);
  });

  it('sends over STARTTLS when TLS is required', async () => {
    const server = await relay({ key: ca.server.keyPem, cert: ca.server.certPem });

    expect(await send(server.url('smtp'), { ca: ca.caPem, requireTls: true })).toMatchObject({ status: 'sent' });
    expect(server.received).toEqual([true]);
  });

  it('sends nothing to a relay that does not offer STARTTLS when TLS is required: no silent downgrade', async () => {
    const server = await relay({ disabledCommands: ['STARTTLS'] });
    // No session it may use: the outbox pauses (the relay counts as unreachable) rather than spend the email's attempt.

    expect(await send(server.url('smtp'), { ca: ca.caPem, requireTls: true })).toMatchObject({ status: 'unreachable' });
    expect(server.received).toEqual([]);
  });

  it.each(['smtps', 'smtp'] as const)('sends nothing over %s to a relay whose certificate another CA signed', async (scheme) => {
    const server = await relay({ secure: scheme === 'smtps', key: otherCa.server.keyPem, cert: otherCa.server.certPem });

    expect(await send(server.url(scheme), { ca: ca.caPem, requireTls: true })).toMatchObject({ status: 'unreachable' });
    expect(server.received).toEqual([]);
  });

  it('requires TLS by default for a relay that is not on this machine, and not for a local one', () => {
    expect(loadConfig({ NODE_ENV: 'test', SMTP_URL: 'smtp://relay.example.com:587' }).smtp.requireTls).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test', SMTP_URL: 'smtp://127.0.0.1:25' }).smtp.requireTls).toBe(false);
    expect(loadConfig({ NODE_ENV: 'test', SMTP_URL: 'smtp://127.0.0.1:25', SMTP_REQUIRE_TLS: 'true' }).smtp.requireTls).toBe(true);
    expect(() => loadConfig({ NODE_ENV: 'test', SMTP_CA_FILE: '/nonexistent/ca.pem' })).toThrow(/^Invalid configuration: SMTP_CA_FILE cannot be read/);
  });
});
