import type { SMTPServer } from 'smtp-server';

/**
 * The child side of SinkChild: listens on a free loopback port, reports it with
 * {type: 'ready', port}, answers each IPC request with `answer(request)`, and
 * exits once the parent disconnects.
 */
export function serveSink<Request>(server: SMTPServer, answer: (request: Request) => object): void {
  // A client that drops mid-session surfaces as 'error'; the sink only counts what arrived.
  server.on('error', () => undefined);
  server.listen(0, '127.0.0.1', () => {
    const address = server.server.address();
    if (typeof address !== 'object' || !address) throw new Error('sink has no address');
    process.send?.({ type: 'ready', port: address.port });
  });
  process.on('message', (request: Request) => process.send?.(answer(request)));
  process.on('disconnect', () => server.close(() => process.exit(0)));
}
