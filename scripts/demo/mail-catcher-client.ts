import { setTimeout as sleep } from 'node:timers/promises';

export type MailKind = 'confirm' | 'manage' | 'digest' | 'alert' | 'other';

/** One message as the catcher holds it, reduced to what the demo checks. */
export interface CaughtMail {
  id: string;
  /** Envelope recipients, lower-cased. */
  to: string[];
  subject: string;
  text: string;
  messageId: string;
  kind: MailKind;
}

interface MaildevEmail {
  id: string;
  subject?: string;
  text?: string;
  headers?: Record<string, string | string[]>;
  envelope?: { to?: { address: string }[] };
  to?: { address: string }[];
}

/** Dispatch's Message-IDs start with the kind: <digest.{subscriber}.{period}@host>, <alert.…>, <confirm.…>. */
export function mailKind(messageId: string): MailKind {
  const kind = /^<?(confirm|manage|digest|alert)\./.exec(messageId)?.[1];
  return (kind as MailKind | undefined) ?? 'other';
}

/** The confirmation link in a confirm email's plain-text part. */
export function confirmLinkIn(text: string): string | undefined {
  return /https?:\/\/\S+?\/subscriptions\/confirm\?token=[\w.~%-]+/.exec(text)?.[0];
}

/** maildev's REST API (GET /api/email): what the demo and its test read the mail with. */
export class MailCatcherClient {
  constructor(readonly webUrl: string) {}

  async list(): Promise<CaughtMail[]> {
    const response = await fetch(`${this.webUrl}/api/email`, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`mail catcher ${this.webUrl} answered ${response.status}`);
    return ((await response.json()) as MaildevEmail[]).map(toCaught);
  }

  /** Polls until `pick` returns something other than undefined. */
  async waitFor<T>(what: string, pick: (mails: CaughtMail[]) => T | undefined, timeoutMs = 120_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = pick(await this.list());
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what} in the mail catcher (${this.webUrl})`);
      await sleep(500);
    }
  }
}

function toCaught(mail: MaildevEmail): CaughtMail {
  const header = Object.entries(mail.headers ?? {}).find(([name]) => name.toLowerCase() === 'message-id')?.[1];
  const messageId = (Array.isArray(header) ? header[0] : header) ?? '';
  const recipients = mail.envelope?.to?.length ? mail.envelope.to : (mail.to ?? []);
  return {
    id: mail.id,
    to: recipients.map((recipient) => recipient.address.toLowerCase()),
    subject: mail.subject ?? '',
    text: mail.text ?? '',
    messageId,
    kind: mailKind(messageId),
  };
}
