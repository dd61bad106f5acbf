/** RFC 8030 §5.2: a push service keeps an undelivered message at most this long; a breaking alert older than an hour is not news. */
export const PUSH_TTL_SECONDS = 3600;
/**
 * Push services take about 4 KB of encrypted payload; the plaintext stays well under it
 * (record padding and the aes128gcm header come on top).
 */
export const MAX_PAYLOAD_BYTES = 3000;
const MAX_TITLE_CHARS = 200;
const TEST_TITLE_PREFIX = '[TEST] ';
const MAX_BODY_CHARS = 600;

/** One web push, ready for the transport: where it goes, the browser's keys, what it says and its RFC 8030 headers. */
export interface PushMessage {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  payload: string;
  ttlSeconds: number;
  urgency: 'very-low' | 'low' | 'normal' | 'high';
  /** Replaces an undelivered message with the same topic at the push service: ≤ 32 URL-safe characters. */
  topic: string;
}

export interface AlertPushInput {
  alertId: string;
  /** A staff test: its title says so. */
  test?: boolean;
  /** The alert's priority: a minor one is not worth waking a phone for (null: major, the default). */
  priority?: 'major' | 'minor' | null;
  article: { title: string; summary: string | null; url: string };
  subscription: { endpoint: string; p256dh: string; auth: string };
}

type PushOrError = PushMessage | { error: string };

/**
 * The push for one breaking alert: {"alertId","title","body","url"}, Urgency high for a
 * major alert (normal for a minor one), and a Topic made from the alert id (its 32 hex
 * digits), so a retried push the service still holds replaces the earlier copy instead
 * of showing twice. Returns an error when the article cannot fit (its URL alone is too long).
 */
export function alertPush(input: AlertPushInput): PushOrError {
  return withPayload(input, alertPayload(input));
}

/**
 * alertPush for the rows of one claimed batch: an alert's payload is the same for all its
 * subscriptions, so it is made once per alert rather than once per push.
 */
export function alertPushes(): (input: AlertPushInput) => PushOrError {
  const payloads = new Map<string, string | null>();
  return (input) => {
    let payload = payloads.get(input.alertId);
    if (payload === undefined) {
      payload = alertPayload(input);
      payloads.set(input.alertId, payload);
    }
    return withPayload(input, payload);
  };
}

function alertPayload({ alertId, article, test }: AlertPushInput): string | null {
  const title = `${test ? TEST_TITLE_PREFIX : ''}${article.title}`;
  return fitPayload(alertId, shorten(title, MAX_TITLE_CHARS), shorten(article.summary ?? '', MAX_BODY_CHARS), article.url);
}

function withPayload({ alertId, priority, subscription }: AlertPushInput, payload: string | null): PushOrError {
  if (payload === null) return { error: `the push payload would exceed ${MAX_PAYLOAD_BYTES} bytes` };
  return {
    endpoint: subscription.endpoint,
    keys: { p256dh: subscription.p256dh, auth: subscription.auth },
    payload,
    ttlSeconds: PUSH_TTL_SECONDS,
    urgency: priority === 'minor' ? 'normal' : 'high',
    topic: pushTopic(alertId),
  };
}

export function pushTopic(alertId: string): string {
  return alertId.replace(/[^A-Za-z0-9]/g, '').slice(0, 32);
}

/** Shortens the body (then the title) until the payload fits in MAX_PAYLOAD_BYTES. */
function fitPayload(alertId: string, title: string, body: string, url: string): string | null {
  let [t, b] = [title, body];
  for (;;) {
    const payload = JSON.stringify({ alertId, title: t, body: b, url });
    if (Buffer.byteLength(payload) <= MAX_PAYLOAD_BYTES) return payload;
    if (b.length > 0) b = shorten(b, Math.floor(b.length / 2));
    else if (t.length > 20) t = shorten(t, Math.floor(t.length / 2));
    else return null;
  }
}

/** Cut at a code point boundary, with an ellipsis, so a notification never shows half a character. */
function shorten(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  if (max <= 1) return '';
  return `${chars.slice(0, Math.max(0, max - 1)).join('').trimEnd()}…`;
}
