import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/config';
import { PrismaService } from '../database/prisma.service';
import { Prisma } from '../generated/prisma/client';
import type { DeliveryKind } from '../generated/prisma/enums';
import { messageHost } from '../mail/message-host';
import { MetricsService } from '../metrics/metrics.service';
import { PRIORITY } from './delivery.types';
import { OutboxSignal } from './outbox-signal';

type Tx = Prisma.TransactionClient | PrismaService;

/** An email a reader-facing request decided: a confirmation link, or a "manage" link for a confirmed reader. */
export type ReaderMailKind = 'confirm' | 'manage';

/** One digest decided: the reader, the period it covers and what it delivers (best first). */
export interface DigestMail {
  subscriberId: string;
  period: string;
  articleIds: string[];
  relatedIds: string[];
  more: number;
}

/** What queueing one slice of an alert's audience did: rows new, ids the slice held, the last of them. */
export interface SliceQueued {
  queued: number;
  scanned: number;
  last: string | null;
}

/** One alert's audience slice: the alert, what it delivers, and the subscriber ids of the slice. */
export interface AlertMail {
  alertId: string;
  articleId: string;
  relatedIds: readonly string[];
}

/**
 * The outbox: the one writer of new Delivery rows, for every decider (reader mail,
 * digest runs, alert fan-outs). It mints each row's dedupeKey and Message-ID — derived
 * from what the row delivers, so deciding twice queues once and a resend carries the
 * same Message-ID — and wakes the worker once rows are committed.
 */
@Injectable()
export class Outbox {
  private readonly host: string;

  constructor(
    private readonly prisma: PrismaService,
    private readonly signal: OutboxSignal,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.host = messageHost(config);
  }

  /**
   * The INSERT that queues reader mail, for the subscribe statement to end with: that
   * decision is one statement (every kind of address costs the same round trip, so
   * timing tells nothing), and it only says who gets which kind through a CTE named
   * "mail" with "id" (the subscriber) and "kind". Per mailbox and window, so a repeat
   * is a no-op. Returns the kinds queued; the caller reports them with `queued`.
   */
  readerMailInsert(mailbox: string, window: string): Prisma.Sql {
    const key = (kind: ReaderMailKind) => `${kind}:${mailbox}:${window}`;
    const messageId = (kind: ReaderMailKind) => this.messageId(kind, [mailbox.slice(0, 32), window]);
    return Prisma.sql`
      INSERT INTO "Delivery" ("kind", "dedupeKey", "messageId", "priority", "subscriberId", "articleIds", "relatedIds")
      SELECT m."kind",
             CASE m."kind" WHEN 'confirm' THEN ${key('confirm')} ELSE ${key('manage')} END,
             CASE m."kind" WHEN 'confirm' THEN ${messageId('confirm')} ELSE ${messageId('manage')} END,
             ${PRIORITY.confirm}, m."id", '{}', '{}'
      FROM "mail" m
      ON CONFLICT ("dedupeKey") DO NOTHING
      RETURNING "kind"::text AS "kind"`;
  }

  /**
   * Queues a batch of digests in one statement (inside the caller's transaction, with
   * the schedule move that decided them): a single INSERT … SELECT over a JSON document,
   * where Prisma's createMany spent more CPU composing the statement than PostgreSQL
   * spent running it. Returns how many rows were new.
   */
  async queueDigests(runId: string, mails: readonly DigestMail[], tx: Tx = this.prisma): Promise<number> {
    if (mails.length === 0) return 0;
    const rows = mails.map((mail) => ({
      dedupeKey: `digest:${mail.subscriberId}:${mail.period}`,
      messageId: this.messageId('digest', [mail.subscriberId, mail.period]),
      subscriberId: mail.subscriberId,
      articleIds: mail.articleIds,
      relatedIds: mail.relatedIds,
      payload: { more: mail.more, period: mail.period },
    }));
    return tx.$executeRaw`
      INSERT INTO "Delivery" ("kind", "dedupeKey", "messageId", "priority", "subscriberId", "runId", "articleIds", "relatedIds", "payload")
      SELECT 'digest'::"DeliveryKind", r."dedupeKey", r."messageId", ${PRIORITY.digest}, r."subscriberId", ${runId}::uuid,
             ARRAY(SELECT a.id FROM jsonb_array_elements_text(r."articleIds") WITH ORDINALITY AS a(id, n) ORDER BY a.n),
             ARRAY(SELECT a.id FROM jsonb_array_elements_text(r."relatedIds") WITH ORDINALITY AS a(id, n) ORDER BY a.n),
             r."payload"
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        AS r("dedupeKey" text, "messageId" text, "subscriberId" uuid, "articleIds" jsonb, "relatedIds" jsonb, "payload" jsonb)
      ON CONFLICT ("dedupeKey") DO NOTHING`;
  }

  /**
   * Queues an alert for one slice of its audience, set-based: `slice` selects the
   * subscriber ids (column "id"), so a large audience is written straight from the
   * subscriber table without passing through this process. Re-running a slice is a
   * no-op. Returns how many rows were new, how many subscribers the slice held and the
   * last of them.
   */
  async queueAlertSlice(mail: AlertMail, slice: Prisma.Sql): Promise<SliceQueued> {
    return this.queueSlice('alert', mail.alertId, mail.articleId, mail.relatedIds, slice);
  }

  /**
   * Queues an alert's web push for one slice of the push subscriptions (`slice` selects
   * their ids, column "id"), set-based like the email slices: one row per subscription,
   * `push:{alert}:{subscription}`, so re-running a slice is a no-op.
   */
  async queuePushSlice(mail: Pick<AlertMail, 'alertId' | 'articleId'>, slice: Prisma.Sql): Promise<SliceQueued> {
    return this.queueSlice('push', mail.alertId, mail.articleId, [], slice);
  }

  /** One slice of an alert's audience, readers (`alert`) or push subscriptions (`push`), written in one statement. */
  private async queueSlice(kind: 'alert' | 'push', alertId: string, articleId: string, relatedIds: readonly string[], slice: Prisma.Sql): Promise<SliceQueued> {
    const recipient = kind === 'alert' ? Prisma.sql`"subscriberId"` : Prisma.sql`"pushSubscriptionId"`;
    const [row] = await this.prisma.$queryRaw<{ last: string | null; scanned: bigint; queued: bigint }[]>`
      WITH slice AS (${slice}), inserted AS (
        INSERT INTO "Delivery" ("kind", "dedupeKey", "messageId", "priority", ${recipient}, "alertId", "articleIds", "relatedIds")
        SELECT ${kind}::"DeliveryKind", ${kind} || ':' || ${alertId} || ':' || slice."id",
               '<' || ${kind} || '.' || ${alertId} || '.' || slice."id" || '@' || ${this.host} || '>',
               ${PRIORITY[kind]}, slice."id", ${alertId}::uuid, ARRAY[${articleId}]::text[], ${[...relatedIds]}::text[]
        FROM slice
        ON CONFLICT ("dedupeKey") DO NOTHING
        RETURNING 1
      )
      SELECT (SELECT "id"::text FROM slice ORDER BY "id" DESC LIMIT 1) AS last,
             (SELECT count(*) FROM slice) AS scanned, (SELECT count(*) FROM inserted) AS queued`;
    const queued = Number(row.queued);
    this.queued(kind, queued);
    return { queued, scanned: Number(row.scanned), last: row.last };
  }

  /** Rows of `kind` were committed: counted, and the worker woken so they do not wait for its next poll. */
  queued(kind: DeliveryKind, count = 1): void {
    if (count <= 0) return;
    this.metrics.deliveriesQueued.inc({ kind }, count);
    this.signal.queued();
  }

  /** `<kind.part.part@host>`: derived from what the email delivers, so every retry carries the same one. */
  private messageId(kind: DeliveryKind, parts: readonly string[]): string {
    return `<${[kind, ...parts].join('.')}@${this.host}>`;
  }
}
