import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/config';
import { PushAudience, pushAudienceCount, pushAudienceSlice } from '../push/push-subscriptions.repository';
import { PrismaService } from '../database/prisma.service';
import { Prisma } from '../generated/prisma/client';
import { Outbox } from '../deliveries/outbox';
import { SUBSCRIBER_SUPPRESSED } from '../suppression/email-hash';
import type { AlertChannel } from './alert-request';

/** Who an alert goes to, on which channels: readers of its tags, or (a test) the staff. */
export interface AudienceSpec {
  tags: readonly string[];
  channels: readonly AlertChannel[];
  test: boolean;
}

export interface FanoutTarget extends AudienceSpec {
  alertId: string;
  articleId: string;
  relatedIds: readonly string[];
}

/** An alert's audience per channel. */
export interface AudienceSize {
  email: number;
  push: number;
}

/** What a slice of a channel the alert does not go on queues: nothing, and that channel is done. */
const NOTHING: { queued: number; last: string | null } = { queued: 0, last: null };

/**
 * An alert's email audience (CONTRACT.md "Breaking alert"): confirmed subscribers with at
 * least one of the tags whose address is not suppressed; for a test, the subscriber rows
 * of ALERT_TEST_RECIPIENTS whatever their status. Counting and queueing share this one
 * predicate so the number an editor is shown is the number that gets queued.
 */
function audience(spec: AudienceSpec, testRecipients: readonly string[]): Prisma.Sql {
  const who = spec.test
    ? Prisma.sql`s."email" = ANY(${[...testRecipients]}::text[])`
    : Prisma.sql`s."status" = 'confirmed' AND s."tags" && ${[...spec.tags]}::text[]`;
  return Prisma.sql`${who} AND NOT ${SUBSCRIBER_SUPPRESSED}`;
}

function pushAudienceOf(spec: AudienceSpec): PushAudience {
  return spec.test ? 'staff' : { tags: spec.tags };
}

/**
 * Reads an alert's audience a slice of subscribers at a time (keyset on id) and has
 * the outbox queue each slice straight from the subscriber table, so the first slice
 * is committed and sending while the rest is still being written.
 */
@Injectable()
export class AlertAudienceRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly outbox: Outbox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The audience on each channel the alert goes on (0 on the others; push is 0 while push is off). */
  async countAudience(spec: AudienceSpec): Promise<AudienceSize> {
    const [email, push] = await Promise.all([
      spec.channels.includes('email') ? this.count(Prisma.sql`SELECT count(*) AS n FROM "Subscriber" s WHERE ${audience(spec, this.config.alertTestRecipients)}`) : 0,
      spec.channels.includes('push') && this.config.push ? this.count(pushAudienceCount(pushAudienceOf(spec))) : 0,
    ]);
    return { email, push };
  }

  private async count(query: Prisma.Sql): Promise<number> {
    const [row] = await this.prisma.$queryRaw<{ n: bigint }[]>(query);
    return Number(row.n);
  }

  /**
   * Queues the next slice after `afterSubscriberId`; returns how many rows it wrote
   * and the last subscriber id it looked at, null once the audience is exhausted
   * (a short slice is the last one, which saves an empty round trip).
   */
  async queueSlice(target: FanoutTarget, afterSubscriberId: string | null, size: number): Promise<{ queued: number; last: string | null }> {
    if (!target.channels.includes('email')) return NOTHING;
    const after = afterSubscriberId ?? '00000000-0000-0000-0000-000000000000';
    const slice = Prisma.sql`
      SELECT s."id" FROM "Subscriber" s
      WHERE s."id" > ${after}::uuid AND ${audience(target, this.config.alertTestRecipients)}
      ORDER BY s."id"
      LIMIT ${size}`;
    const { queued, scanned, last } = await this.outbox.queueAlertSlice(target, slice);
    return { queued, last: scanned < size ? null : last };
  }

  /**
   * The same for the alert's web pushes: the next slice of matching push subscriptions
   * after `afterId`. Without VAPID keys, or for an alert on email only, none is queried.
   */
  async queuePushSlice(target: FanoutTarget, afterId: string, size: number): Promise<{ queued: number; last: string | null }> {
    if (!this.config.push || !target.channels.includes('push')) return NOTHING;
    const { queued, scanned, last } = await this.outbox.queuePushSlice(target, pushAudienceSlice(pushAudienceOf(target), afterId, size));
    return { queued, last: scanned < size ? null : last };
  }
}
