import { createServer, request, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A reverse proxy on loopback that does what nginx's `proxy_add_x_forwarded_for`
 * (and every load balancer) does: forward the request to the service and append the
 * TCP peer it came from to X-Forwarded-For, keeping whatever the client sent before
 * it. It reaches the service from `localAddress`, so the service can trust exactly it.
 */
export class ForwardingProxy {
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(target: string, localAddress = '127.0.0.1'): Promise<ForwardingProxy> {
    const upstream = new URL(target);
    const server = createServer((incoming, outgoing) => {
      const peer = incoming.socket.remoteAddress ?? '';
      const before = incoming.headers['x-forwarded-for'];
      const forwardedFor = before ? `${Array.isArray(before) ? before.join(', ') : before}, ${peer}` : peer;
      const forward = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: incoming.method,
          path: incoming.url,
          headers: { ...incoming.headers, 'x-forwarded-for': forwardedFor, connection: 'close' },
          localAddress,
          agent: false,
        },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forward.on('error', () => {
        outgoing.writeHead(502);
        outgoing.end();
      });
      incoming.pipe(forward);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return new ForwardingProxy(server, `http://127.0.0.1:${port}`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
