import { Agent, request } from 'node:http';

/** One request of an open-loop load run: what was asked and how it went. */
export interface LoadSample {
  name: string;
  status: number | 'error';
  latencyMs: number;
  /** What the request body said, for checking writes afterwards. */
  tag?: string;
  /** Why no answer came (error code), when status is 'error'. */
  error?: string;
  /** The loopback source address the request came from: one client, as rate limits see it. */
  from?: string;
}

export interface LoadStream {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  perSecond: number;
  /** Body per request (JSON), and a tag to remember it by. */
  body?: (index: number) => { json: unknown; tag: string };
}

export interface LoadRun {
  samples: LoadSample[];
  /** Requests the client did not send because `maxInFlight` were already waiting for an answer. */
  notSent: Record<string, number>;
}

export interface LoadSummary {
  requests: number;
  statuses: Record<string, number>;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Requests per second actually sent over the run. */
  sentPerSecond: number;
}

const TICK_MS = 20;
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Sends each stream at its rate for `durationMs` whatever the answers (open loop:
 * a slow server gets more concurrent requests, not fewer — up to `maxInFlight`,
 * past which a request is counted as not sent rather than queued without end),
 * from `clients` source addresses on the loopback network (127.0.0.2 …) so
 * per-client rate limits see many clients rather than one.
 */
export async function runOpenLoop(
  baseUrl: string,
  streams: readonly LoadStream[],
  options: { durationMs: number; clients: number; maxInFlight: number },
): Promise<LoadRun> {
  const { durationMs, clients, maxInFlight } = options;
  const url = new URL(baseUrl);
  const agents = Array.from({ length: clients }, (_, i) => ({
    agent: new Agent({ keepAlive: true, maxSockets: 8 }),
    localAddress: `127.0.${Math.floor(i / 250)}.${(i % 250) + 2}`,
  }));
  const samples: LoadSample[] = [];
  const inFlight = new Set<Promise<void>>();
  const sent = new Map(streams.map((stream) => [stream.name, 0]));
  const notSent: Record<string, number> = Object.fromEntries(streams.map((stream) => [stream.name, 0]));
  const started = Date.now();
  let client = 0;

  const fire = (stream: LoadStream, index: number) => {
    const { agent, localAddress } = agents[client++ % agents.length];
    const body = stream.body?.(index);
    const payload = body ? Buffer.from(JSON.stringify(body.json)) : undefined;
    const begun = performance.now();
    const done = new Promise<void>((resolve) => {
      const finish = (status: number | 'error', error?: string) => {
        samples.push({ name: stream.name, status, latencyMs: performance.now() - begun, tag: body?.tag, from: localAddress, ...(error ? { error } : {}) });
        resolve();
      };
      const send = (retried: boolean) => {
        const req = request(
          {
            host: url.hostname,
            port: url.port,
            path: stream.path,
            method: stream.method,
            agent,
            localAddress,
            timeout: REQUEST_TIMEOUT_MS,
            headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {},
          },
          (res) => {
            res.resume();
            res.once('end', () => finish(res.statusCode ?? 0));
            res.once('error', () => finish('error'));
          },
        );
        req.once('timeout', () => req.destroy(new Error('timeout')));
        req.once('error', (error: NodeJS.ErrnoException) => {
          // The server closed an idle keep-alive connection as this request went out on it:
          // nothing reached the service, and Node's documentation says to send it again.
          if (req.reusedSocket && error.code === 'ECONNRESET' && !retried) send(true);
          else finish('error', error.code ?? error.message);
        });
        req.end(payload);
      };
      send(false);
    });
    inFlight.add(done);
    void done.then(() => inFlight.delete(done));
  };

  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = Date.now() - started;
      for (const stream of streams) {
        const due = Math.min(Math.floor((Math.min(elapsed, durationMs) / 1000) * stream.perSecond), Math.floor((durationMs / 1000) * stream.perSecond));
        for (let index = sent.get(stream.name) ?? 0; index < due; index++) {
          if (inFlight.size >= maxInFlight) notSent[stream.name]++;
          else fire(stream, index);
        }
        sent.set(stream.name, due);
      }
      if (elapsed >= durationMs) {
        clearInterval(timer);
        resolve();
      }
    }, TICK_MS);
  });
  await Promise.all(inFlight);
  for (const { agent } of agents) agent.destroy();
  return { samples, notSent };
}

export function summarize(samples: readonly LoadSample[], durationMs: number): LoadSummary {
  const latencies = samples.map((sample) => sample.latencyMs).sort((a, b) => a - b);
  const at = (q: number) => (latencies.length === 0 ? 0 : latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)]);
  const statuses: Record<string, number> = {};
  for (const sample of samples) {
    const key = sample.status === 'error' ? `error ${sample.error ?? ''}`.trim() : String(sample.status);
    statuses[key] = (statuses[key] ?? 0) + 1;
  }
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    requests: samples.length,
    statuses,
    p50Ms: round(at(0.5)),
    p95Ms: round(at(0.95)),
    p99Ms: round(at(0.99)),
    maxMs: round(latencies[latencies.length - 1] ?? 0),
    sentPerSecond: round(samples.length / (durationMs / 1000)),
  };
}
