import { performance } from 'node:perf_hooks';
import { SMTPServer } from 'smtp-server';
import { serveSink } from '../support/sink-server';

/**
 * A minimal SMTP sink, run in a child process of its own so that receiving mail
 * does not compete with the service for the benchmark's event loop. It keeps no
 * message, only, per Message-ID family (`<alert.{alertId}.…>` → "alert.{alertId}"),
 * how many were accepted and when the first and the last were accepted.
 *
 * IPC: sends {type: 'ready', port}; answers {type: 'stats', key} with {type: 'stats', key, count, first, last}.
 */

export interface FamilyStats {
  count: number;
  /** Wall-clock milliseconds (performance.timeOrigin + now()), comparable across processes. */
  first: number;
  last: number;
}

export type SinkRequest = { type: 'stats'; key: string; requestId: number };
export type SinkReply = { type: 'ready'; port: number } | ({ type: 'stats'; key: string; requestId: number } & FamilyStats);

const HEADER_END = Buffer.from('\r\n\r\n');
const MESSAGE_ID = /^message-id:\s*<([^>\r\n]*)>/im;

/** "alert.{alertId}" for "<alert.{alertId}.{subscriberId}@host>": the first two dot-separated parts. */
export function familyOf(messageId: string): string {
  const [kind = '', id = ''] = messageId.split('@')[0].split('.');
  return `${kind}.${id}`;
}

function wallClock(): number {
  return performance.timeOrigin + performance.now();
}

function main(): void {
  const families = new Map<string, FamilyStats>();
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    size: 10 * 1024 * 1024,
    onData(stream, _session, callback) {
      let head: Buffer | null = Buffer.alloc(0);
      let family = 'unknown.unknown';
      stream.on('data', (chunk: Buffer) => {
        if (head === null) return;
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf(HEADER_END);
        if (end === -1 && head.length < 64 * 1024) return;
        const match = MESSAGE_ID.exec(head.subarray(0, end === -1 ? head.length : end).toString('latin1'));
        if (match) family = familyOf(match[1]);
        head = null;
      });
      stream.on('end', () => {
        const at = wallClock();
        const stats = families.get(family);
        if (stats) {
          stats.count += 1;
          stats.last = at;
        } else {
          families.set(family, { count: 1, first: at, last: at });
        }
        callback(null, 'OK');
      });
    },
  });
  serveSink<SinkRequest>(server, (request) => {
    const stats = families.get(request.key) ?? { count: 0, first: 0, last: 0 };
    return { type: 'stats', key: request.key, requestId: request.requestId, ...stats } satisfies SinkReply;
  });
}

if (require.main === module) main();
