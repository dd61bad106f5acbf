import { createConnection, createServer, Server, Socket } from 'node:net';

/**
 * A TCP relay between a service and PostgreSQL that the test can cut off, the way a
 * network partition does: nothing is refused or reset, packets simply stop
 * arriving. Open sessions go silent (queries hang, a LISTEN connection looks
 * alive), new connections are accepted but not answered; heal() lets everything
 * through again, in order, as TCP would after a partition ends. This is the
 * outage refuseConnections() cannot show: there every session is ended at once
 * and the service knows straight away.
 */
interface Relayed {
  client: Socket;
  upstream: Socket;
  /** Bytes held back by the partition, per direction, in order. */
  toUpstream: Buffer[];
  toClient: Buffer[];
}

export class DatabasePartition {
  private readonly relayed = new Set<Relayed>();
  private cut = false;
  private trigger?: { pattern: RegExp; fire: () => void };

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Relays to the PostgreSQL server of `databaseUrl`; url() gives the same URL through the relay. */
  static async start(databaseUrl: string): Promise<DatabasePartition> {
    const parsed = new URL(databaseUrl);
    const target = { host: parsed.hostname, port: Number(parsed.port || 5432) };
    let relay: DatabasePartition | undefined;
    const server = createServer((client) => relay?.accept(client, target));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (typeof address !== 'object' || !address) throw new Error('database relay has no address');
    relay = new DatabasePartition(server, address.port);
    return relay;
  }

  /** `databaseUrl` with its host and port replaced by the relay's. */
  url(databaseUrl: string): string {
    const parsed = new URL(databaseUrl);
    parsed.hostname = '127.0.0.1';
    parsed.port = String(this.port);
    return parsed.toString();
  }

  /** From now on nothing passes either way: every byte is held back, new connections included. */
  partition(): void {
    this.cut = true;
  }

  /**
   * Partitions as the service sends a statement matching `pattern` (held back with
   * everything after it), or after `timeoutMs` whichever comes first: the fault
   * strikes at the moment a test needs, e.g. just as a lease sweep goes out.
   * Resolves with what triggered it.
   */
  partitionWhen(pattern: RegExp, timeoutMs: number): Promise<'statement' | 'timeout'> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.trigger = undefined;
        this.partition();
        resolve('timeout');
      }, timeoutMs);
      this.trigger = {
        pattern,
        fire: () => {
          clearTimeout(timer);
          this.trigger = undefined;
          this.partition();
          resolve('statement');
        },
      };
    });
  }

  /** Everything held back passes, in order, and traffic flows again. */
  heal(): void {
    this.cut = false;
    for (const pair of this.relayed) {
      for (const chunk of pair.toUpstream.splice(0)) pair.upstream.write(chunk);
      for (const chunk of pair.toClient.splice(0)) pair.client.write(chunk);
    }
  }

  async close(): Promise<void> {
    for (const { client, upstream } of this.relayed) {
      client.destroy();
      upstream.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, target: { host: string; port: number }): void {
    const pair: Relayed = { client, upstream: createConnection(target), toUpstream: [], toClient: [] };
    this.relayed.add(pair);
    const end = () => {
      this.relayed.delete(pair);
      client.destroy();
      pair.upstream.destroy();
    };
    for (const socket of [client, pair.upstream]) socket.on('error', end).on('close', end);
    client.on('data', (chunk: Buffer) => {
      if (this.trigger?.pattern.test(chunk.toString('latin1'))) this.trigger.fire();
      if (this.cut) pair.toUpstream.push(chunk);
      else pair.upstream.write(chunk);
    });
    pair.upstream.on('data', (chunk: Buffer) => (this.cut ? pair.toClient.push(chunk) : client.write(chunk)));
  }
}
