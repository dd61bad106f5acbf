import { PrismaClient } from '../generated/prisma/client';
import { digestRunStatus, DigestRunStatus } from '../digests/digest-run-status';
import { requeueDelivery } from '../deliveries/requeue-delivery';
import { addressSuppressed } from '../suppression/email-hash';

const DELIVERY_STATUSES = ['queued', 'sending', 'sent', 'failed', 'skipped', 'uncertain'] as const;
export type DeliveryStatusName = (typeof DELIVERY_STATUSES)[number];
export type DeliveryCounts = Record<DeliveryStatusName, number>;

export type ResendOutcome =
  | { outcome: 'queued'; id: string; kind: string; was: string; lastError: string | null; addressSuppressed: boolean; subscriberStatus: string | null }
  | { outcome: 'not-found'; id: string }
  | { outcome: 'not-resendable'; id: string; status: string };

export interface AlertReport {
  alertId: string;
  status: string;
  articleId: string;
  title: string;
  tags: string[];
  sentBy: string;
  recipients: number;
  deliveries: DeliveryCounts;
  /** Delivery feedback heard later: emails that bounced, and readers who complained. */
  bounced: number;
  complained: number;
  createdAt: string;
  fannedOutAt: string | null;
  firstSentAt: string | null;
  lastSentAt: string | null;
}

export interface RunReport extends DigestRunStatus {
  deliveries: DeliveryCounts;
  /** Delivery feedback heard later: emails that bounced, and readers who complained. */
  bounced: number;
  complained: number;
}

export interface SuppressionRow {
  emailHash: string;
  reason: string;
  createdAt: string;
}

/**
 * What the operator CLI reads and changes in PostgreSQL — the same tables the
 * service uses, through the same generated client, and nothing the service's
 * own rules would not allow (a re-sent delivery is still re-checked at claim time).
 */
export class OperatorStore {
  constructor(private readonly prisma: PrismaClient) {}

  /** failed / skipped → queued with its attempts cleared; the worker picks it up on its next claim. */
  async resendDelivery(id: bigint): Promise<ResendOutcome> {
    const row = await this.prisma.delivery.findUnique({
      where: { id },
      select: { kind: true, status: true, lastError: true, subscriber: { select: { email: true, status: true } } },
    });
    if (!row) return { outcome: 'not-found', id: String(id) };
    if (!(await requeueDelivery(this.prisma, id))) {
      const now = await this.prisma.delivery.findUnique({ where: { id }, select: { status: true } });
      return { outcome: 'not-resendable', id: String(id), status: now?.status ?? row.status };
    }
    return {
      outcome: 'queued',
      id: String(id),
      kind: row.kind,
      was: row.status,
      lastError: row.lastError,
      addressSuppressed: row.subscriber ? await this.isSuppressed(row.subscriber.email) : false,
      subscriberStatus: row.subscriber?.status ?? null,
    };
  }

  async alert(alertId: string): Promise<AlertReport | null> {
    const alert = await this.prisma.alert.findUnique({ where: { id: alertId }, include: { article: { select: { title: true } } } });
    if (!alert) return null;
    return {
      alertId: alert.id,
      status: alert.status,
      articleId: alert.articleId,
      title: alert.article.title,
      tags: alert.tags,
      sentBy: alert.sentBy,
      recipients: alert.recipients,
      deliveries: await this.deliveryCounts({ alertId }),
      ...(await this.feedbackCounts({ alertId })),
      createdAt: alert.createdAt.toISOString(),
      fannedOutAt: alert.fannedOutAt?.toISOString() ?? null,
      firstSentAt: alert.firstSentAt?.toISOString() ?? null,
      lastSentAt: alert.lastSentAt?.toISOString() ?? null,
    };
  }

  async run(runId: string): Promise<RunReport | null> {
    const run = await this.prisma.digestRun.findUnique({ where: { id: runId } });
    if (!run) return null;
    return { ...digestRunStatus(run), deliveries: await this.deliveryCounts({ runId }), ...(await this.feedbackCounts({ runId })) };
  }

  /**
   * Newest first. Only hashes exist: the addresses themselves are never kept.
   * `emailHashes` narrows it to the rows that could stand for one address.
   */
  async suppressions(limit: number, emailHashes?: string[]): Promise<{ total: number; rows: SuppressionRow[] }> {
    const where = emailHashes ? { emailHash: { in: emailHashes } } : {};
    const [total, rows] = await Promise.all([
      this.prisma.suppression.count({ where }),
      this.prisma.suppression.findMany({ where, orderBy: [{ createdAt: 'desc' }, { emailHash: 'asc' }], take: limit }),
    ]);
    return { total, rows: rows.map((row) => ({ emailHash: row.emailHash, reason: row.reason, createdAt: row.createdAt.toISOString() })) };
  }

  private async deliveryCounts(where: { alertId: string } | { runId: string }): Promise<DeliveryCounts> {
    const groups = await this.prisma.delivery.groupBy({ by: ['status'], where, _count: { _all: true } });
    const counts = Object.fromEntries(DELIVERY_STATUSES.map((status) => [status, 0])) as DeliveryCounts;
    for (const group of groups) counts[group.status] = group._count._all;
    return counts;
  }

  private async feedbackCounts(where: { alertId: string } | { runId: string }): Promise<{ bounced: number; complained: number }> {
    const groups = await this.prisma.delivery.groupBy({ by: ['feedback'], where: { ...where, feedback: { not: null } }, _count: { _all: true } });
    const count = (feedback: string) => groups.find((group) => group.feedback === feedback)?._count._all ?? 0;
    return { bounced: count('bounced'), complained: count('complained') };
  }

  private async isSuppressed(email: string): Promise<boolean> {
    const [row] = await this.prisma.$queryRaw<{ suppressed: boolean }[]>`
      SELECT ${addressSuppressed(email)} AS suppressed`;
    return row.suppressed;
  }
}
