import { createConnection, createServer } from 'node:net';

/** Whether something accepts TCP connections on host:port. */
export function isPortOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A port the OS considers free right now on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/** host:port → parts; throws on anything else so a typo fails loudly. */
export function parseHostPort(value: string): { host: string; port: number } {
  const match = /^\[?([^\]\s]+?)\]?:(\d+)$/.exec(value.trim());
  if (!match) throw new Error(`not a host:port: ${value}`);
  return { host: match[1], port: Number(match[2]) };
}

export const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '']);
