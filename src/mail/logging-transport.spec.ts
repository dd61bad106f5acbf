import { Logger } from '@nestjs/common';
import { LoggingTransport } from './logging-transport';

describe(LoggingTransport.name, () => {
  const envelope = { from: 'news@dispatch.example.com', to: 'reader@example.org' };
  const raw = Buffer.from('Subject: hello\r\n\r\nsecret body');

  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('keeps what it was asked to send and says it was sent', async () => {
    const sut = new LoggingTransport();

    const outcome = await sut.send(envelope, raw, '<a@b>');

    expect(outcome).toEqual({ status: 'sent', response: '250 logged' });
    expect(sut.sent).toEqual([{ envelope, raw, messageId: '<a@b>' }]);
  });

  it('logs the Message-ID and size, never the address or the body', async () => {
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const sut = new LoggingTransport();

    await sut.send(envelope, raw, '<a@b>');

    const logged = log.mock.calls.flat().join(' ');
    expect(logged).toContain('<a@b>');
    expect(logged).not.toContain('reader@example.org');
    expect(logged).not.toContain('secret body');
  });

  it('returns a scripted outcome and keeps only what was sent', async () => {
    const sut = new LoggingTransport(({ messageId }) =>
      messageId === '<bounce@b>' ? { status: 'permanent', error: '550 5.1.1', hardBounce: true } : { status: 'sent', response: '250' },
    );

    await expect(sut.send(envelope, raw, '<bounce@b>')).resolves.toEqual({ status: 'permanent', error: '550 5.1.1', hardBounce: true });
    await sut.send(envelope, raw, '<ok@b>');

    expect(sut.sent.map((message) => message.messageId)).toEqual(['<ok@b>']);
  });

  it('refuses sends and verification once closed', async () => {
    const sut = new LoggingTransport();

    await sut.close();

    await expect(sut.send(envelope, raw, '<a@b>')).resolves.toMatchObject({ status: 'transient' });
    await expect(sut.verify()).rejects.toThrow('closed');
  });
});
