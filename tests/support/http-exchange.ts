import { IncomingHttpHeaders, request } from 'node:http';

export interface HttpExchange {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/**
 * One HTTP request on a fresh connection, the request line exactly as given (no
 * normalisation), optionally from another loopback source address; resolves with
 * the whole response body as text.
 */
export function httpExchange(options: {
  baseUrl: string;
  method: string;
  requestLine: string;
  headers: Record<string, string>;
  payload?: Buffer;
  from?: string;
}): Promise<HttpExchange> {
  const base = new URL(options.baseUrl);
  const headers = options.payload ? { ...options.headers, 'content-length': String(options.payload.length) } : options.headers;
  return new Promise((resolve, reject) => {
    const req = request(
      { method: options.method, host: base.hostname, port: base.port, path: options.requestLine, headers, localAddress: options.from, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.payload);
  });
}
