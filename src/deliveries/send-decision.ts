import type { SendOutcome } from '../mail/mail-transport';
import type { DeliveryKind } from '../generated/prisma/enums';
import { giveUpAt } from './delivery-age';
import type { DeliveryPayload } from './delivery.types';
import { MIN_DELAY_MS, nextRetryDelay } from './retry-policy';

/** What the outbox does with a row after one hand-over to SMTP. */
export type SendDecision =
  | { mark: 'sent' }
  | { mark: 'retry'; retryAt: Date; error: string }
  /** Possibly delivered: resent once, with the same Message-ID, and counted. */
  | { mark: 'uncertain'; retryAt: Date; error: string }
  | { mark: 'failed'; error: string; suppress: 'hard' | 'soft' | null }
  /** The relay was not reached: the attempt is given back and the outbox pauses. */
  | { mark: 'released'; error: string };

export interface DecidedRow {
  kind: DeliveryKind;
  attempts: number;
  createdAt: Date;
  payload: DeliveryPayload;
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
