import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { Prisma } from '../generated/prisma/client';
import type { Subscriber } from '../generated/prisma/client';
import { addressSuppressed } from '../suppression/email-hash';
import { SuppressionRepository } from '../suppression/suppression.repository';
import type { Preferences } from './subscription-request';

export type { Subscriber };

/** The columns of a reader's limits on minor alerts; only those named change. */
export type AlertLimitColumns = Partial<Pick<Subscriber, 'quietHoursStart' | 'quietHoursEnd' | 'maxAlertsPerDay'>>;

/** What the subscribe statement may queue: nothing (a repeat in the window, a suppressed address) or one of these. */
export type MailKind = 'confirm' | 'manage';

export interface SubscribeCommand {
  email: string;
  preferences: Preferences;
  /**
   * The outbox's INSERT over the CTE "mail" ("id", "kind"): a confirmation when the
   * address is new, pending or unsubscribed (double opt-in), a link to the preference
   * centre instead when it is already confirmed.
   */
  queueMail: Prisma.Sql;
}

/** Subscribers in PostgreSQL. Every write is conditional on the state it expects, so races lose quietly. */
@Injectable()
export class SubscribersRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly suppression: SuppressionRepository,
  ) {}

  /**
   * The whole subscribe decision as one statement, so every kind of address costs
   * the same single round trip and leaves no timing trace of what it was:
   *  - suppressed: nothing is written;
   *  - confirmed: preferences stay as they are, a "manage" email is queued;
   *  - new, pending or unsubscribed: preferences are (re)set, status becomes pending
   *    and a confirmation email is queued.
   * The outbox's unique dedupeKey makes a repeat within the same window a no-op.
   * Returns the kind of email queued, for the metrics; callers never tell the reader.
   */
  async subscribe(command: SubscribeCommand): Promise<MailKind[]> {
    const { email, preferences: p, queueMail } = command;
    const queued = await this.prisma.$queryRaw<{ kind: MailKind }[]>`
      WITH suppressed AS (
        SELECT ${addressSuppressed(email)} AS yes
      ), existing AS (
        SELECT "id", "status" FROM "Subscriber" WHERE "email" = ${email}
      ), written AS (
        INSERT INTO "Subscriber" ("id", "email", "status", "tags", "frequency", "sendHour", "timezone", "weekday", "updatedAt")
        SELECT gen_random_uuid(), ${email}, 'pending', ${p.tags}::text[], ${p.frequency}::"Frequency",
               ${p.sendHour}, ${p.timezone}, ${p.weekday}, now()
        FROM suppressed WHERE NOT suppressed.yes
        ON CONFLICT ("email") DO UPDATE SET
          "status" = 'pending', "tags" = EXCLUDED."tags", "frequency" = EXCLUDED."frequency",
          "sendHour" = EXCLUDED."sendHour", "timezone" = EXCLUDED."timezone", "weekday" = EXCLUDED."weekday",
          "nextDigestAt" = NULL, "confirmedAt" = NULL, "unsubscribedAt" = NULL, "updatedAt" = now()
        WHERE "Subscriber"."status" <> 'confirmed'
        RETURNING "id"
      ), mail AS (
        SELECT written."id", 'confirm'::"DeliveryKind" AS "kind" FROM written
        UNION ALL
        SELECT existing."id", 'manage'::"DeliveryKind" FROM existing, suppressed
        WHERE existing."status" = 'confirmed' AND NOT suppressed.yes
      )
      ${queueMail}`;
    return queued.map((row) => row.kind);
  }

  async findById(id: string): Promise<Subscriber | null> {
    return this.prisma.subscriber.findUnique({ where: { id } });
  }

  async findByEmail(email: string): Promise<Subscriber | null> {
    return this.prisma.subscriber.findUnique({ where: { email } });
  }

  /** Pending → confirmed, only while the token's version is current. */
  async confirm(id: string, tokenVersion: number, at: Date, nextDigestAt: Date): Promise<boolean> {
    const { count } = await this.prisma.subscriber.updateMany({
      where: { id, tokenVersion, status: 'pending' },
      data: { status: 'confirmed', confirmedAt: at, nextDigestAt },
    });
    return count === 1;
  }

  /** Null when the subscriber is gone, unsubscribed or the token was revoked meanwhile. */
  async updatePreferences(id: string, tokenVersion: number, preferences: Preferences, nextDigestAt: Date | null, alertLimits: AlertLimitColumns = {}): Promise<Subscriber | null> {
    const { count } = await this.prisma.subscriber.updateMany({
      where: { id, tokenVersion, status: { in: ['pending', 'confirmed'] } },
      data: { ...preferences, ...alertLimits, nextDigestAt },
    });
    return count === 1 ? this.findById(id) : null;
  }

  /** Unsubscribes and revokes every outstanding link in the same write. */
  async unsubscribe(id: string, tokenVersion: number, at: Date): Promise<Subscriber | null> {
    const { count } = await this.prisma.subscriber.updateMany({
      where: { id, tokenVersion, status: { in: ['pending', 'confirmed'] } },
      data: { status: 'unsubscribed', unsubscribedAt: at, nextDigestAt: null, tokenVersion: { increment: 1 } },
    });
    return count === 1 ? this.findById(id) : null;
  }

  /**
   * Right to erasure: the rows of every spelling of the reader's mailbox go (their
   * deliveries keep no link to them) and only the mailbox's hash stays, on the
   * suppression list, so we never write to it again.
   */
  async erase(id: string, tokenVersion: number): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const subscriber = await tx.subscriber.findFirst({ where: { id, tokenVersion }, select: { email: true } });
      if (!subscriber) return false;
      await this.suppression.suppress(subscriber.email, 'erased at the reader’s request', tx);
      await tx.$executeRaw`DELETE FROM "Subscriber" WHERE dispatch_mailbox("email") = dispatch_mailbox(${subscriber.email})`;
      return true;
    });
  }

  /**
   * The staff addresses test alerts go to need a subscriber row (their emails carry
   * unsubscribe and preference links made from it): an existing reader's row is used as
   * it is; a missing one is made pending with no tags, so it gets no digest and no
   * reader alert. A suppressed address gets none.
   */
  async ensureTestRecipients(emails: readonly string[]): Promise<void> {
    for (const email of emails) {
      await this.prisma.$executeRaw`
        INSERT INTO "Subscriber" ("id", "email", "status", "tags", "updatedAt")
        SELECT gen_random_uuid(), ${email}, 'pending', '{}'::text[], now()
        WHERE NOT ${addressSuppressed(email)}
        ON CONFLICT ("email") DO NOTHING`;
    }
  }
}
