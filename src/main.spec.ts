import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { exitCleanlyOnSignals } from './main';

/** Just what the signal handler touches: the HTTP server and app.close(). */
function anApp(close: () => Promise<void>) {
  const server = { close: jest.fn() };
  const app = { getHttpServer: () => server, close: jest.fn(close) };
  return { app, server, sut: app as unknown as NestExpressApplication };
}

describe(exitCleanlyOnSignals.name, () => {
  const TIMEOUT_MS = 1000;
  let exit: jest.SpyInstance;
  let errors: jest.SpyInstance;
  let listeners: { SIGTERM: NodeJS.SignalsListener[]; SIGINT: NodeJS.SignalsListener[] };

  beforeEach(() => {
    jest.useFakeTimers();
    listeners = { SIGTERM: process.listeners('SIGTERM'), SIGINT: process.listeners('SIGINT') };
    exit = jest.spyOn(process, 'exit').mockImplementation(() => undefined as never);
    errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      for (const listener of process.listeners(signal)) if (!listeners[signal].includes(listener)) process.off(signal, listener);
    }
    jest.restoreAllMocks();
    jest.useRealTimers();
  });

  it('stops accepting connections, closes the app and exits 0', async () => {
    const { app, server, sut } = anApp(async () => undefined);
    exitCleanlyOnSignals(sut, TIMEOUT_MS);

    process.emit('SIGTERM', 'SIGTERM');
    await jest.advanceTimersByTimeAsync(0);

    expect(server.close).toHaveBeenCalled();
    expect(app.close).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(0);
  });

  it('exits 1 with a log line when the shutdown hangs past its limit', async () => {
    const { sut } = anApp(() => new Promise<void>(() => undefined));
    exitCleanlyOnSignals(sut, TIMEOUT_MS);

    process.emit('SIGINT', 'SIGINT');
    await jest.advanceTimersByTimeAsync(TIMEOUT_MS - 1);
    expect(exit).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);

    expect(exit).toHaveBeenCalledWith(1);
    expect(errors).toHaveBeenCalledWith(expect.objectContaining({ msg: expect.stringContaining('did not finish in time') }));
  });

  it('exits 1 when closing fails, and a second signal does not start a second shutdown', async () => {
    const { app, sut } = anApp(async () => {
      throw new Error('pool already closed');
    });
    exitCleanlyOnSignals(sut, TIMEOUT_MS);

    process.emit('SIGTERM', 'SIGTERM');
    process.emit('SIGTERM', 'SIGTERM');
    await jest.advanceTimersByTimeAsync(0);

    expect(app.close).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(1);
    expect(exit).toHaveBeenCalledTimes(1);
  });
});
