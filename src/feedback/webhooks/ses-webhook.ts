import { get } from 'node:https';
import MessageValidator from 'sns-validator';
import { FeedbackEvent } from '../feedback-event';
import { statusClass } from '../status-class';
import { isRecord, parseJson, text, WebhookMalformed, WebhookUnauthorized } from './webhook-errors';

/** Where SNS signing certificates and subscription links may live: Amazon's SNS hosts (sns-validator's rule). */
export const SNS_HOSTS = /^sns\.[a-zA-Z0-9-]{3,}\.amazonaws\.com(\.cn)?$/;

export type SnsOutcome = { kind: 'subscription confirmed' } | { kind: 'unsubscribed' } | { kind: 'events'; events: FeedbackEvent[] };

/**
 * Amazon SES notifications through SNS. The SNS signature is checked by AWS's sns-validator
 * (which fetches the signing certificate from an SNS host over https) before anything in the
 * message is believed, and only topics in SES_SNS_TOPIC_ARNS are heard.
 */
export class SesWebhook {
  private readonly validator: MessageValidator;

  constructor(
    private readonly topics: readonly string[],
    private readonly hosts: RegExp = SNS_HOSTS,
  ) {
    this.validator = new MessageValidator(hosts);
  }

  async handle(body: Buffer): Promise<SnsOutcome> {
    const message = parseJson(body);
    if (!isRecord(message)) throw new WebhookMalformed('not an SNS message');
    if (!this.topics.includes(String(message.TopicArn))) throw new WebhookUnauthorized('topic not in SES_SNS_TOPIC_ARNS');
    const verified = await this.verify(message);
    switch (verified.Type) {
      case 'SubscriptionConfirmation':
        await this.confirm(String(verified.SubscribeURL));
        return { kind: 'subscription confirmed' };
      case 'UnsubscribeConfirmation':
        return { kind: 'unsubscribed' };
      case 'Notification':
        return { kind: 'events', events: sesEvents(String(verified.MessageId), verified.Message) };
      default:
        throw new WebhookMalformed('unknown SNS message type');
    }
  }

  private verify(message: Record<string, unknown>): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      this.validator.validate(message, (error, valid) => (error || !valid ? reject(new WebhookUnauthorized('bad SNS signature')) : resolve(valid as Record<string, unknown>)));
    });
  }

  /** Visiting SubscribeURL is how SNS learns we want the topic; only an SNS host is ever visited. */
  private confirm(subscribeUrl: string): Promise<void> {
    let url: URL;
    try {
      url = new URL(subscribeUrl);
    } catch {
      throw new WebhookMalformed('SubscribeURL is not a URL');
    }
    if (url.protocol !== 'https:' || !this.hosts.test(url.host)) throw new WebhookMalformed('SubscribeURL is not on an SNS host');
    return new Promise((resolve, reject) => {
      const request = get(url, { timeout: 10_000 }, (response) => {
        response.resume();
        if (response.statusCode === 200) resolve();
        else reject(new Error(`SNS answered ${response.statusCode} to the subscription confirmation`));
      });
      request.on('timeout', () => request.destroy(new Error('SNS subscription confirmation timed out')));
      request.on('error', reject);
    });
  }
}

/** The SES event inside an SNS notification (notificationType from a configuration of the identity, eventType from an event destination). */
export function sesEvents(snsMessageId: string, message: unknown): FeedbackEvent[] {
  const event = typeof message === 'string' ? parseJson(Buffer.from(message)) : message;
  if (!isRecord(event) || !isRecord(event.mail)) return [];
  const messageId = ourMessageId(event.mail);
  if (!messageId) return [];
  const kind = text(event.notificationType) ?? text(event.eventType);
  const base = (index: number) => ({ source: 'ses' as const, key: `ses:${snsMessageId}:${index}`, target: { messageId } });
  if (kind === 'Bounce' && isRecord(event.bounce)) {
    const bounce = event.bounce;
    return recipients(bounce.bouncedRecipients).map((recipient, index) => {
      const status = text(recipient.status);
      const byCode = statusClass(status);
      const type = byCode === 'hard' || byCode === 'soft' ? byCode : bounce.bounceType === 'Permanent' ? 'hard' : 'soft';
      return { ...base(index), type, status, recipient: text(recipient.emailAddress) };
    });
  }
  if (kind === 'Complaint' && isRecord(event.complaint)) {
    const complaint = event.complaint;
    return recipients(complaint.complainedRecipients).map((recipient, index) => ({
      ...base(index),
      type: 'complaint' as const,
      recipient: text(recipient.emailAddress),
      complaintKind: text(complaint.complaintFeedbackType) ?? 'abuse',
    }));
  }
  if (kind === 'Delivery' && isRecord(event.delivery)) {
    const delivered = Array.isArray(event.delivery.recipients) ? event.delivery.recipients : [];
    return delivered.flatMap((recipient, index) => (typeof recipient === 'string' ? [{ ...base(index), type: 'delivered' as const, recipient }] : []));
  }
  return [];
}

function recipients(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

/** SES puts its own id in Message-ID on the way out; the one we set is in the original headers it reports. */
function ourMessageId(mail: Record<string, unknown>): string | undefined {
  if (Array.isArray(mail.headers)) {
    const header = mail.headers.find((entry) => isRecord(entry) && String(entry.name).toLowerCase() === 'message-id');
    if (isRecord(header) && text(header.value)) return text(header.value);
  }
  return isRecord(mail.commonHeaders) ? text(mail.commonHeaders.messageId) : undefined;
}
