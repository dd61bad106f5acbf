import { setTimeout as sleep } from 'node:timers/promises';
import type { ArticleEventJson } from './sample-data';

export interface Subscription {
  email: string;
  tags: string[];
  frequency: 'daily' | 'weekly';
  sendHour: number;
  timezone: string;
  weekday: string;
}

interface ChannelCounts {
  recipients: number;
  sent: number;
  failed: number;
}

export interface AlertStatus {
  alertId: string;
  status: 'scheduled' | 'queued' | 'sending' | 'sent' | 'cancelled';
  recipients: number;
  sent: number;
  failed: number;
  channels: { email: ChannelCounts; push: ChannelCounts };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** The demo's only way into the service: its public HTTP API (CONTRACT.md), nothing internal. */
export class ServiceApi {
  constructor(
    readonly baseUrl: string,
    private readonly editorKey: string,
  ) {}

  async healthy(): Promise<boolean> {
    try {
      const response = await fetch(`${this.baseUrl}/health`, { signal: AbortSignal.timeout(5000) });
      return response.status === 200;
    } catch {
      return false;
    }
  }

  /** The sum of a metric's samples in the Prometheus text of GET /metrics (0 when absent). */
  async metric(name: string): Promise<number> {
    const text = await this.request('GET', '/metrics', { raw: true });
    let total = 0;
    for (const line of text.split('\n')) {
      const match = /^(\w+)(?:\{[^}]*\})? (\S+)$/.exec(line);
      if (match && match[1] === name) total += Number(match[2]);
    }
    return total;
  }

  async tags(): Promise<{ tag: string; articles: number }[]> {
    return JSON.parse(await this.request('GET', '/tags')) as { tag: string; articles: number }[];
  }

  /** POST /subscriptions; waits out a 429 (the per-IP limit) rather than failing the demo. */
  async subscribe(subscription: Subscription): Promise<void> {
    for (;;) {
      try {
        await this.request('POST', '/subscriptions', { body: subscription });
        return;
      } catch (error) {
        if (!(error instanceof HttpError) || error.status !== 429) throw error;
        await sleep((error.retryAfterSeconds ?? 5) * 1000);
      }
    }
  }

  /** Follows a confirmation link as a reader's browser would. */
  async follow(link: string): Promise<number> {
    const response = await fetch(link, { signal: AbortSignal.timeout(10_000) });
    await response.arrayBuffer();
    return response.status;
  }

  /** POST /push/subscriptions, as the subscribe page's script does once the reader allowed notifications. */
  async subscribePush(subscription: { endpoint: string; keys: { p256dh: string; auth: string } }, tags: string[]): Promise<{ id: string; token: string }> {
    return JSON.parse(await this.request('POST', '/push/subscriptions', { body: { subscription, tags } })) as { id: string; token: string };
  }

  async runDigests(at: Date): Promise<{ runId: string; due: number }> {
    return JSON.parse(await this.request('POST', '/digests/run', { body: { at: at.toISOString() }, editor: true })) as { runId: string; due: number };
  }

  async sendAlert(article: ArticleEventJson): Promise<{ alertId: string; recipients: number }> {
    return JSON.parse(await this.request('POST', '/alerts', { body: { article }, editor: true })) as { alertId: string; recipients: number };
  }

  async alertStatus(alertId: string): Promise<AlertStatus> {
    return JSON.parse(await this.request('GET', `/alerts/${encodeURIComponent(alertId)}`, { editor: true })) as AlertStatus;
  }

  private async request(method: string, path: string, options: { body?: unknown; editor?: boolean; raw?: boolean } = {}): Promise<string> {
    const headers: Record<string, string> = { accept: options.raw ? 'text/plain' : 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.editor) headers.authorization = `Bearer ${this.editorKey}`;
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    if (!response.ok) {
      const retryAfter = Number(response.headers.get('retry-after'));
      throw new HttpError(response.status, `${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined);
    }
    return text;
  }
}
