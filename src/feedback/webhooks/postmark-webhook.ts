import { timingSafeEqual, createHash } from 'node:crypto';
import { FeedbackEvent } from '../feedback-event';
import { isRecord, parseJson, text, WebhookUnauthorized } from './webhook-errors';

const HARD = new Set(['HardBounce', 'BadEmailAddress', 'ManuallyDeactivated']);
const SOFT = new Set(['SoftBounce', 'Transient', 'DnsError', 'Blocked']);

/** Postmark's webhooks carry no signature: the URL's basic-auth credentials are the proof. */
export function checkPostmarkAuth(authorization: string | undefined, expected: { user: string; password: string }): void {
  const given = /^Basic\s+(.+)$/i.exec(authorization ?? '')?.[1];
  const wanted = Buffer.from(`${expected.user}:${expected.password}`).toString('base64');
  // Compared as digests: equal length whatever was sent, so the comparison leaks nothing.
  const digest = (value: string) => createHash('sha256').update(value).digest();
  if (!given || !timingSafeEqual(digest(given), digest(wanted))) throw new WebhookUnauthorized('bad credentials');
}

/**
 * Bounce, SpamComplaint and Delivery records. Postmark reports its own message id, not ours, so
 * the email is found by the recipient: the latest one sent to that address.
 */
export function postmarkEvents(body: Buffer): FeedbackEvent[] {
  const record = parseJson(body);
  if (!isRecord(record)) return [];
  const recipient = text(record.Email) ?? text(record.Recipient);
  const id = text(record.ID) ?? text(record.MessageID);
  if (!recipient || !id) return [];
  const base = { source: 'postmark' as const, target: { recipient }, recipient };
  switch (record.RecordType) {
    case 'Bounce': {
      const type = text(record.Type) ?? '';
      // A bounce record of type SpamNotification is a complaint that came back as a bounce.
      if (type === 'SpamNotification') return [{ ...base, type: 'complaint', key: `postmark:bounce:${id}`, complaintKind: 'abuse' }];
      const kind = HARD.has(type) ? 'hard' : SOFT.has(type) ? 'soft' : null;
      return kind ? [{ ...base, type: kind, key: `postmark:bounce:${id}`, status: type }] : [];
    }
    case 'SpamComplaint':
      return [{ ...base, type: 'complaint', key: `postmark:complaint:${id}`, complaintKind: 'abuse' }];
    case 'Delivery':
      return [{ ...base, type: 'delivered', key: `postmark:delivery:${id}` }];
    default:
      return [];
  }
}
