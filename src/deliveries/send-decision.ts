import type { SendOutcome } from '../mail/mail-transport';
import type { AlertPriority, DeliveryKind } from '../generated/prisma/enums';
import type { PushOutcome } from '../push/push-transport';
import { giveUpAt } from './delivery-age';
import type { DeliveryPayload } from './delivery.types';
import { MAX_DELAY_MS, MIN_DELAY_MS, nextRetryDelay } from './retry-policy';

/** What the outbox does with a row after one hand-over to SMTP. */
export type SendDecision =
  | { mark: 'sent' }
  | { mark: 'retry'; retryAt: Date; error: string }
  /** Possibly delivered: resent once, with the same Message-ID, and counted. */
  | { mark: 'uncertain'; retryAt: Date; error: string }
  | { mark: 'failed'; error: string; suppress: 'hard' | 'soft' | null }
  /** The relay was not reached: the attempt is given back and the outbox pauses. */
  | { mark: 'released'; error: string }
  /** A push subscription the push service says is gone (404/410): failed, and the subscription removed. */
  | { mark: 'expired'; error: string };

export interface DecidedRow {
  kind: DeliveryKind;
  attempts: number;
  createdAt: Date;
  payload: DeliveryPayload;
  /** Alert rows: a minor alert stays worth sending longer (delivery-age.ts). */
  alertPriority?: AlertPriority | null;
  /** It was already resent once because an earlier outcome was unknown. */
  wasUncertain: boolean;
}

/**
 * The one place that turns an SMTP outcome into the row's next state. Emails give
 * up by age (delivery-age.ts), never by a count of failures; an unknown outcome is
 * resent at most once, because a second copy is the most a reader may get.
 */
export function decideSend(
  outcome: Exclude<SendOutcome, { status: 'withdrawn' }>,
  row: DecidedRow,
  now: Date,
  random: () => number = Math.random,
): SendDecision {
  switch (outcome.status) {
    case 'sent':
      return { mark: 'sent' };
    case 'permanent':
      return { mark: 'failed', error: outcome.error, suppress: outcome.hardBounce ? 'hard' : 'soft' };
    case 'unreachable':
      return { mark: 'released', error: outcome.error };
    case 'unknown': {
      if (row.wasUncertain) {
        return { mark: 'failed', error: `outcome unknown again after a resend, not sent a third time: ${outcome.error}`, suppress: null };
      }
      const retryAt = new Date(now.getTime() + MIN_DELAY_MS);
      if (retryAt > giveUpAt(row)) return { mark: 'failed', error: `outcome unknown and too old to resend: ${outcome.error}`, suppress: null };
      return { mark: 'uncertain', retryAt, error: outcome.error };
    }
    case 'transient': {
      const retryAt = new Date(now.getTime() + nextRetryDelay(row.attempts, random));
      if (retryAt > giveUpAt(row)) return { mark: 'failed', error: `gave up: too old to retry (${row.attempts} attempts): ${outcome.error}`, suppress: null };
      return { mark: 'retry', retryAt, error: outcome.error };
    }
  }
}

/**
 * The same for a web push. 404/410: the subscription is gone for good. 429/5xx: again
 * after the service's Retry-After (or the usual backoff). No answer at all: again after
 * a backoff — a push service that cannot be reached is one destination among many, so
 * unlike the relay it does not pause the outbox. Pushes give up by age like emails
 * (an hour: their TTL), never by a count.
 */
export function decidePush(outcome: PushOutcome, row: DecidedRow, now: Date, random: () => number = Math.random): SendDecision {
  switch (outcome.status) {
    case 'sent':
      return { mark: 'sent' };
    case 'gone':
      return { mark: 'expired', error: outcome.error };
    case 'rejected':
      return { mark: 'failed', error: outcome.error, suppress: null };
    case 'busy':
    case 'unreachable': {
      const asked = outcome.status === 'busy' ? outcome.retryAfterMs : null;
      const delay = asked === null ? nextRetryDelay(row.attempts, random) : Math.min(Math.max(asked, MIN_DELAY_MS), MAX_DELAY_MS);
      const retryAt = new Date(now.getTime() + delay);
      if (retryAt > giveUpAt(row)) return { mark: 'failed', error: `gave up: too old to retry (${row.attempts} attempts): ${outcome.error}`, suppress: null };
      return { mark: 'retry', retryAt, error: outcome.error };
    }
  }
}
