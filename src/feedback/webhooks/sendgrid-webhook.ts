import { EventWebhook } from '@sendgrid/eventwebhook';
import { FeedbackEvent } from '../feedback-event';
import { statusClass } from '../status-class';
import { isRecord, parseJson, text, WebhookUnauthorized } from './webhook-errors';

export const SENDGRID_SIGNATURE_HEADER = 'x-twilio-email-event-webhook-signature';
export const SENDGRID_TIMESTAMP_HEADER = 'x-twilio-email-event-webhook-timestamp';

/** SendGrid's signed Event Webhook: ECDSA P-256 over timestamp + raw body, checked by SendGrid's own verifier. */
export class SendgridWebhook {
  private readonly verifier = new EventWebhook();
  private readonly publicKey;

  constructor(base64Der: string) {
    this.publicKey = this.verifier.convertPublicKeyToECDSA(`-----BEGIN PUBLIC KEY-----\n${base64Der}\n-----END PUBLIC KEY-----`);
  }

  events(body: Buffer, signature: string | undefined, timestamp: string | undefined): FeedbackEvent[] {
    if (!signature || !timestamp) throw new WebhookUnauthorized('no signature');
    let valid = false;
    try {
      valid = this.verifier.verifySignature(this.publicKey, body, signature, timestamp);
    } catch {
      // A signature that does not even decode is as bad as a wrong one.
    }
    if (!valid) throw new WebhookUnauthorized('bad signature');
    const payload = parseJson(body);
    return Array.isArray(payload) ? payload.flatMap(toEvent) : [];
  }
}

function toEvent(entry: unknown): FeedbackEvent[] {
  if (!isRecord(entry)) return [];
  const id = text(entry.sg_event_id);
  const messageId = text(entry['smtp-id']);
  if (!id || !messageId) return [];
  const base = { source: 'sendgrid' as const, key: `sendgrid:${id}`, target: { messageId }, recipient: text(entry.email) };
  const status = text(entry.status);
  switch (entry.event) {
    case 'bounce': {
      const byCode = statusClass(status);
      // "blocked" is SendGrid's word for a refusal that is not about the address.
      const type = byCode === 'hard' || byCode === 'soft' ? byCode : entry.type === 'blocked' ? 'soft' : 'hard';
      return [{ ...base, type, status }];
    }
    case 'spamreport':
      return [{ ...base, type: 'complaint', complaintKind: 'abuse' }];
    case 'delivered':
      return [{ ...base, type: 'delivered' }];
    default:
      return [];
  }
}
