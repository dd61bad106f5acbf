import { createHmac, timingSafeEqual } from 'node:crypto';
import { FeedbackEvent } from '../feedback-event';
import { statusClass } from '../status-class';
import { isRecord, parseJson, text, WebhookMalformed, WebhookUnauthorized } from './webhook-errors';

/** Mailgun signs timestamp + token; a timestamp further than this from now is refused (replay). */
export const MAILGUN_REPLAY_WINDOW_MS = 5 * 60 * 1000;

/**
 * Mailgun's webhooks (JSON, `signature` + `event-data`): HMAC-SHA256 of timestamp + token with
 * the webhook signing key, checked before anything in the body is believed.
 */
export function mailgunEvents(body: Buffer, signingKey: string, now: Date): FeedbackEvent[] {
  const payload = parseJson(body);
  if (!isRecord(payload) || !isRecord(payload.signature)) throw new WebhookUnauthorized('no signature');
  const timestamp = text(payload.signature.timestamp);
  const token = text(payload.signature.token);
  const signature = text(payload.signature.signature);
  if (!timestamp || !token || !signature || !/^[0-9a-f]{64}$/i.test(signature)) throw new WebhookUnauthorized('incomplete signature');
  const expected = createHmac('sha256', signingKey).update(timestamp + token).digest();
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) throw new WebhookUnauthorized('bad signature');
  const signedAt = Number(timestamp) * 1000;
  if (!Number.isFinite(signedAt) || Math.abs(now.getTime() - signedAt) > MAILGUN_REPLAY_WINDOW_MS) throw new WebhookUnauthorized('timestamp outside the replay window');

  const data = payload['event-data'];
  if (!isRecord(data)) throw new WebhookMalformed('no event-data');
  const id = text(data.id);
  const headers = isRecord(data.message) && isRecord(data.message.headers) ? data.message.headers : {};
  const messageId = text(headers['message-id']);
  if (!id || !messageId) return [];
  const base = { source: 'mailgun' as const, key: `mailgun:${id}`, target: { messageId }, recipient: text(data.recipient) };
  const status = isRecord(data['delivery-status']) ? enhancedStatus(data['delivery-status']) : undefined;
  switch (data.event) {
    case 'failed': {
      const byCode = statusClass(status);
      const type = byCode === 'hard' || byCode === 'soft' ? byCode : data.severity === 'permanent' ? 'hard' : 'soft';
      return [{ ...base, type, status }];
    }
    case 'complained':
      return [{ ...base, type: 'complaint', complaintKind: 'abuse' }];
    case 'delivered':
      return [{ ...base, type: 'delivered' }];
    default:
      return [];
  }
}

/** Mailgun gives `enhanced-code` when the remote server said one, else only the SMTP `code`. */
function enhancedStatus(status: Record<string, unknown>): string | undefined {
  const enhanced = text(status['enhanced-code']);
  if (enhanced && statusClass(enhanced)) return enhanced;
  return undefined;
}
