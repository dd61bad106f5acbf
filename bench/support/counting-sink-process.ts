import { performance } from 'node:perf_hooks';
import { SMTPServer } from 'smtp-server';
import { serveSink } from './sink-server';

/**
 * The benchmarks' SMTP server, in a child process of its own so that receiving mail
 * never competes with the service for an event loop: it accepts every message,
 * discards it, and counts. Started by CountingSink (counting-sink.ts).
 *
 * IPC: sends {type: 'ready', port}; answers {type: 'stats', requestId} with SinkStats.
 */

export interface SinkStats {
  accepted: number;
  bytes: number;
  /** Wall-clock ms (performance.timeOrigin + now()) of the first and last acceptance; 0 before any. */
  first: number;
  last: number;
  /** CPU seconds this process has used. */
  cpuSeconds: number;
}

export type SinkRequest = { type: 'stats'; requestId: number } | { type: 'reset'; requestId: number };
export type SinkReply = { type: 'ready'; port: number } | { type: 'stats'; requestId: number; stats: SinkStats };

function main(): void {
  const stats: SinkStats = { accepted: 0, bytes: 0, first: 0, last: 0, cpuSeconds: 0 };
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    size: 25 * 1024 * 1024,
    maxClients: 1000,
    onData(stream, _session, callback) {
      stream.on('data', (chunk: Buffer) => {
        stats.bytes += chunk.length;
      });
      stream.on('end', () => {
        const now = performance.timeOrigin + performance.now();
        if (stats.accepted === 0) stats.first = now;
        stats.accepted += 1;
        stats.last = now;
        callback(null, 'OK');
      });
    },
  });
  serveSink<SinkRequest>(server, (request) => {
    if (request.type === 'reset') Object.assign(stats, { accepted: 0, bytes: 0, first: 0, last: 0 });
    const { user, system } = process.cpuUsage();
    return { type: 'stats', requestId: request.requestId, stats: { ...stats, cpuSeconds: (user + system) / 1e6 } } satisfies SinkReply;
  });
}

if (require.main === module) main();
