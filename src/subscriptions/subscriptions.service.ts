import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/config';
import { Outbox } from '../deliveries/outbox';
import { nextSlotAfter } from '../digests/schedule';
import { emailHash } from '../suppression/email-hash';
import { quietHoursOf } from '../common/quiet-hours';
import { AlertLimitColumns, Subscriber, SubscribersRepository } from './subscribers.repository';
import { AlertLimits, Preferences, PreferencesUpdate, SubscriptionRequest } from './subscription-request';
import { tokenStillValid } from './token-rules';
import { TokenPurpose, verifyToken } from './tokens';

/** At most one confirmation (or "manage") email per address per window, however often it is entered. */
export const SUBSCRIBE_MAIL_WINDOW_MS = 10 * 60 * 1000;

/**
 * Why a link was refused. `invalid`: not ours, altered, or for something else;
 * `expired`: a confirmation link past its date; `revoked`: ours, but replaced since
 * (the reader unsubscribed, or erased their data).
 */
export type LinkFailure = 'invalid' | 'expired' | 'revoked';
export type LinkOutcome<T> = ({ ok: true } & T) | { ok: false; failure: LinkFailure };

/** The reader use cases, one method each; tokens are checked here, never in controllers. */
@Injectable()
export class SubscriptionsService {
  private readonly logger = new Logger(SubscriptionsService.name);

  constructor(
    private readonly subscribers: SubscribersRepository,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Double opt-in without enumeration: the caller learns nothing about the address.
   * What happens (confirmation, "manage" link, or nothing for a suppressed address)
   * is decided in one statement and mailed by the outbox worker.
   */
  async subscribe(request: SubscriptionRequest): Promise<void> {
    // One mail per mailbox, not per spelling: "Ann@x", "aNN@x" and "ann+1@x" all land
    // in one inbox, which must not get a confirmation for each.
    const mailbox = emailHash(request.email);
    const window = String(Math.floor(this.clock.now().getTime() / SUBSCRIBE_MAIL_WINDOW_MS));
    const { email, ...preferences } = request;
    const queued = await this.subscribers.subscribe({ email, preferences, queueMail: this.outbox.readerMailInsert(mailbox, window) });
    for (const kind of queued) this.outbox.queued(kind);
  }

  /** Pending → confirmed; the first digest is scheduled from the reader's preferences. */
  async confirm(token: unknown): Promise<LinkOutcome<{ subscriber: Subscriber; alreadyConfirmed: boolean }>> {
    const found = await this.holderOf(token, 'confirm');
    if (!found.ok) return found;
    const { subscriber } = found;
    if (subscriber.status === 'confirmed') return { ok: true, subscriber, alreadyConfirmed: true };
    const now = this.clock.now();
    const confirmed = await this.subscribers.confirm(subscriber.id, subscriber.tokenVersion, now, nextSlotAfter(preferencesOf(subscriber), now));
    const current = await this.subscribers.findById(subscriber.id);
    if (!confirmed && current?.status !== 'confirmed') return { ok: false, failure: 'revoked' };
    this.logger.log({ subscriberId: subscriber.id, msg: 'subscriber confirmed' });
    return { ok: true, subscriber: current ?? subscriber, alreadyConfirmed: !confirmed };
  }

  /** The preference centre's view of a reader. */
  async preferences(token: unknown): Promise<LinkOutcome<{ subscriber: Subscriber }>> {
    return this.holderOf(token, 'preferences');
  }

  /** Changes only what the update names; a confirmed reader's next digest moves with it. */
  async updatePreferences(token: unknown, update: PreferencesUpdate): Promise<LinkOutcome<{ subscriber: Subscriber }>> {
    const found = await this.holderOf(token, 'preferences');
    if (!found.ok) return found;
    const { subscriber } = found;
    const { quietHours, maxAlertsPerDay, ...digestUpdate } = update;
    const merged: Preferences = { ...preferencesOf(subscriber), ...definedOnly(digestUpdate) };
    const nextDigestAt = subscriber.status === 'confirmed' ? nextSlotAfter(merged, this.clock.now()) : null;
    const updated = await this.subscribers.updatePreferences(subscriber.id, subscriber.tokenVersion, merged, nextDigestAt, alertLimitColumns({ quietHours, maxAlertsPerDay }));
    if (!updated) return { ok: false, failure: 'revoked' };
    this.logger.log({ subscriberId: subscriber.id, msg: 'preferences updated' });
    return { ok: true, subscriber: updated };
  }

  /** Reads an unsubscribe link without acting on it: a GET must never unsubscribe (mail scanners prefetch). */
  async unsubscribeLink(token: unknown): Promise<LinkOutcome<{ subscriber: Subscriber }>> {
    return this.holderOf(token, 'unsubscribe');
  }

  /**
   * One-click unsubscribe (RFC 8058): at once, idempotent, and it revokes every other
   * outstanding link. Nothing undoes it but a new double opt-in (CONTRACT.md, Consent).
   */
  async unsubscribe(token: unknown): Promise<LinkOutcome<{ alreadyUnsubscribed: boolean }>> {
    const found = await this.holderOf(token, 'unsubscribe');
    if (!found.ok) return found;
    const { subscriber } = found;
    if (subscriber.status === 'unsubscribed') return { ok: true, alreadyUnsubscribed: true };
    const done = await this.subscribers.unsubscribe(subscriber.id, subscriber.tokenVersion, this.clock.now());
    if (done) {
      this.logger.log({ subscriberId: subscriber.id, msg: 'subscriber unsubscribed' });
      return { ok: true, alreadyUnsubscribed: false };
    }
    // A concurrent request (the mail provider's and the reader's click) may have won the race.
    const current = await this.subscribers.findById(subscriber.id);
    if (current?.status !== 'unsubscribed') return { ok: false, failure: 'revoked' };
    return { ok: true, alreadyUnsubscribed: true };
  }
  /**
   * The reader marked our email as spam: unsubscribed at once, every outstanding link revoked
   * as a click on "unsubscribe" would, so only a new double opt-in brings them back.
   */
  async unsubscribeAfterComplaint(subscriberId: string): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const subscriber = await this.subscribers.findById(subscriberId);
      if (!subscriber || subscriber.status === 'unsubscribed') return;
      // Raced with another change of token version (a preference update): read again and retry.
      if (await this.subscribers.unsubscribe(subscriber.id, subscriber.tokenVersion, this.clock.now())) {
        this.logger.log({ subscriberId, msg: 'subscriber unsubscribed after a complaint' });
        return;
      }
    }
  }


  /** Right to erasure, from the preference centre: only the address's hash is kept, to honour it. */
  async erase(token: unknown): Promise<LinkOutcome<object>> {
    const found = await this.holderOf(token, 'preferences');
    if (!found.ok) return found;
    const erased = await this.subscribers.erase(found.subscriber.id, found.subscriber.tokenVersion);
    if (!erased) return { ok: false, failure: 'revoked' };
    this.logger.log({ subscriberId: found.subscriber.id, msg: 'subscriber erased' });
    return { ok: true };
  }

  private async holderOf(token: unknown, purpose: TokenPurpose): Promise<LinkOutcome<{ subscriber: Subscriber }>> {
    const verified = verifyToken(this.config.tokenSecret, token, purpose, this.clock.now());
    if (!verified.ok) return { ok: false, failure: verified.reason === 'expired' ? 'expired' : 'invalid' };
    const subscriber = await this.subscribers.findById(verified.payload.subscriberId);
    if (!subscriber || !tokenStillValid(purpose, verified.payload.version, subscriber)) return { ok: false, failure: 'revoked' };
    return { ok: true, subscriber };
  }
}

export function preferencesOf(subscriber: Subscriber): Preferences {
  return {
    tags: subscriber.tags,
    frequency: subscriber.frequency,
    sendHour: subscriber.sendHour,
    timezone: subscriber.timezone,
    weekday: subscriber.weekday,
  };
}

/** A reader's limits on minor alerts, as the API shows them. */
export function alertLimitsOf(subscriber: Subscriber): AlertLimits {
  return { quietHours: quietHoursOf(subscriber.quietHoursStart, subscriber.quietHoursEnd), maxAlertsPerDay: subscriber.maxAlertsPerDay };
}

/** The columns an update changes: a limit left out stays as it is, null clears it. */
function alertLimitColumns({ quietHours, maxAlertsPerDay }: Partial<AlertLimits>): AlertLimitColumns {
  return {
    ...(quietHours !== undefined && { quietHoursStart: quietHours?.start ?? null, quietHoursEnd: quietHours?.end ?? null }),
    ...(maxAlertsPerDay !== undefined && { maxAlertsPerDay }),
  };
}

function definedOnly<T extends object>(update: T): Partial<T> {
  return Object.fromEntries(Object.entries(update).filter(([, value]) => value !== undefined)) as Partial<T>;
}
