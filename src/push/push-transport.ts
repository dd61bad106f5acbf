import { Agent } from 'node:https';
import { sendNotification, WebPushError } from 'web-push';
import { PushConfig } from '../config/config';
import { isAllowedHost } from './push-endpoint';
import { PushMessage } from './push-message';
import { VapidHeaders } from './vapid-headers';

export const PUSH_TRANSPORT = Symbol('PUSH_TRANSPORT');

/** How long one push request may take before it counts as a connection failure. */
const PUSH_TIMEOUT_MS = 10_000;

/** What a push service made of one message (RFC 8030 §5, RFC 8292). */
export type PushOutcome =
  | { status: 'sent' }
  /** 404/410: the subscription expired or was withdrawn; it will never work again. */
  | { status: 'gone'; error: string }
  /** 429 or 5xx: try again, after `retryAfterMs` when the service said when. */
  | { status: 'busy'; error: string; retryAfterMs: number | null }
  /** Any other answer (400, 401/403 VAPID refused, 413): this message will not be taken. */
  | { status: 'rejected'; error: string }
  /** No answer: refused, reset, timed out, name not found. */
  | { status: 'unreachable'; error: string };

/** The one way out of the service for web push. `send` never throws: every failure is an outcome. */
export interface PushTransport {
  send(message: PushMessage): Promise<PushOutcome>;
}

/**
 * Web push through `web-push`: the payload encrypted for the browser's keys (aes128gcm,
 * RFC 8291), a VAPID JWT signed with our key (RFC 8292; one per push-service origin,
 * reused until it nears expiry), TTL, Urgency and Topic, over keep-alive connections.
 * The endpoint's host is checked against PUSH_ENDPOINT_HOSTS again right before the
 * request, so no stored row, however it got there, makes us call another address.
 */
export class WebPushTransport implements PushTransport {
  constructor(
    private readonly config: PushConfig,
    private readonly agent: Agent = new Agent({ keepAlive: true, maxSockets: 64 }),
    private readonly vapid: VapidHeaders = VapidHeaders.forConfig(config.vapid),
  ) {}

  async send(message: PushMessage): Promise<PushOutcome> {
    const url = safeUrl(message.endpoint);
    if (url === null || !isAllowedHost(url.hostname, this.config.endpointHosts)) {
      return { status: 'rejected', error: 'push endpoint host is not in PUSH_ENDPOINT_HOSTS' };
    }
    try {
      const result = await sendNotification({ endpoint: message.endpoint, keys: message.keys }, message.payload, {
        // No vapidDetails: web-push would sign a JWT per message; ours is signed once per origin (RFC 8292's audience).
        headers: { Authorization: this.vapid.authorization(url.origin) },
        TTL: message.ttlSeconds,
        urgency: message.urgency,
        topic: message.topic,
        contentEncoding: 'aes128gcm',
        timeout: PUSH_TIMEOUT_MS,
        agent: this.agent,
      });
      return pushOutcomeOf(result.statusCode, result.headers, new Date());
    } catch (error) {
      if (error instanceof WebPushError) return pushOutcomeOf(error.statusCode, error.headers, new Date());
      return { status: 'unreachable', error: (error as Error).message };
    }
  }

  close(): void {
    this.agent.destroy();
  }
}

function safeUrl(endpoint: string): URL | null {
  try {
    const url = new URL(endpoint);
    return url.protocol === 'https:' && url.username === '' && url.password === '' ? url : null;
  } catch {
    return null;
  }
}

/** A push service's 404 or 410: the subscription is gone for good. */
const GONE_STATUSES = [404, 410];

const answered = (statusCode: number) => `push service answered ${statusCode}`;

/** The error a push row fails with when its subscription was gone: how an alert's status counts its expired pushes. */
export const PUSH_GONE_ERRORS = GONE_STATUSES.map(answered);

/** Maps a push service's answer to an outcome; `Retry-After` in seconds or as an HTTP date. */
export function pushOutcomeOf(statusCode: number, headers: Record<string, string | string[] | undefined>, now: Date): PushOutcome {
  if (statusCode >= 200 && statusCode < 300) return { status: 'sent' };
  const error = answered(statusCode);
  if (GONE_STATUSES.includes(statusCode)) return { status: 'gone', error };
  if (statusCode === 429 || statusCode >= 500) return { status: 'busy', error, retryAfterMs: retryAfterMs(headers['retry-after'], now) };
  return { status: 'rejected', error };
}

function retryAfterMs(header: string | string[] | undefined, now: Date): number | null {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return null;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}
