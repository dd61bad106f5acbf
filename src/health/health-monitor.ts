import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/config';
import { PrismaService } from '../database/prisma.service';
import { OutboxStatus } from '../deliveries/outbox-status';
import { ArticleEventsConsumer } from '../ingestion/article-events.consumer';
import { KafkaProbe, PartitionProgress } from '../kafka/kafka-probe';
import { MailTransport } from '../mail/mail-transport';
import { MAIL_TRANSPORT } from '../mail/mail.module';
import { MetricsService } from '../metrics/metrics.service';
import { consumerProgress, Standstill } from './consumer-progress';

export type CheckResult = { status: 'up' } | { status: 'down'; error: string };
/** The consumer's check also shows its progress: events waiting per partition, from the broker's offsets. */
export type ConsumerCheck = CheckResult & { lag?: Record<string, number> };

/** The outbox pauses as a whole while the relay or the database cannot be reached: nothing is sent meanwhile. */
export type OutboxCheck = { status: 'up' } | { status: 'paused'; reason: 'relay' | 'database'; since: string; error: string };

export interface HealthReport {
  status: 'ok' | 'error';
  /** When the checks behind this report ran; null before the first round finished. */
  checkedAt: string | null;
  checks: Record<'database' | 'kafka' | 'smtp', CheckResult> & { consumer: ConsumerCheck; outbox?: OutboxCheck };
}

/** How often the background task checks everything but SMTP. */
export const CHECK_INTERVAL_MS = 5_000;
/**
 * SMTP is checked less often: each check is a new connection (and a login) to the
 * relay, which counts them. A relay that stops answering also shows in the outbox.
 */
export const SMTP_CHECK_INTERVAL_MS = 30_000;
const CHECK_TIMEOUT_MS = 3_000;

const NOT_YET: CheckResult = { status: 'down', error: 'not checked yet' };

/**
 * The one place that talks to the backing services for /health: a background task,
 * at most every CHECK_INTERVAL_MS whatever the request rate. Requests read the last
 * report; they never open a connection of their own (RELIABILITY.md S11).
 */
@Injectable()
export class HealthMonitor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(HealthMonitor.name);
  private report: HealthReport = { status: 'error', checkedAt: null, checks: { database: NOT_YET, kafka: NOT_YET, smtp: NOT_YET, consumer: NOT_YET } };
  private smtp: { result: CheckResult; at: number } | undefined;
  private standstills = new Map<number, Standstill>();
  private timer?: NodeJS.Timeout;
  private round?: Promise<void>;

  constructor(
    private readonly prisma: PrismaService,
    private readonly kafka: KafkaProbe,
    private readonly consumer: ArticleEventsConsumer,
    @Inject(MAIL_TRANSPORT) private readonly mail: MailTransport,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsService,
    private readonly outbox: OutboxStatus,
  ) {}

  /** The last round's report, with the outbox's state as it is now (read from memory: no connection). */
  current(): HealthReport {
    const paused = this.outbox.paused;
    const outbox: OutboxCheck = paused ? { status: 'paused', reason: paused.reason, since: paused.since.toISOString(), error: paused.error } : { status: 'up' };
    const status = this.report.status === 'ok' && outbox.status === 'up' ? 'ok' : 'error';
    return { ...this.report, status, checks: { ...this.report.checks, outbox } };
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.check(), CHECK_INTERVAL_MS);
    this.check();
  }

  /** Before the pools and clients it uses close (their onApplicationShutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.round;
  }

  /** One round at a time: a round slower than the interval makes the next one wait, never pile up. */
  private check(): void {
    if (this.round || !this.timer) return;
    this.round = this.runChecks()
      .catch((error: Error) => this.logger.error({ err: error.message, msg: 'health check round failed' }))
      .finally(() => (this.round = undefined));
  }

  private async runChecks(): Promise<void> {
    const now = Date.now();
    const { groupId, articlesTopic } = this.config.kafka;
    const smtpDue = !this.smtp || now - this.smtp.at >= SMTP_CHECK_INTERVAL_MS || this.smtp.result.status === 'down';
    const [database, progress, smtp] = await Promise.all([
      probe(() => this.prisma.$queryRaw`SELECT 1`),
      withTimeout(this.kafka.progress(groupId, articlesTopic)).then(
        (partitions) => ({ ok: true as const, partitions }),
        (error: Error) => ({ ok: false as const, error: firstLine(error) }),
      ),
      smtpDue ? probe(() => this.mail.verify()) : Promise.resolve(this.smtp?.result ?? NOT_YET),
    ]);
    if (smtpDue) this.smtp = { result: smtp, at: now };
    const kafka: CheckResult = progress.ok ? { status: 'up' } : { status: 'down', error: progress.error };
    const consumer = progress.ok ? this.consumerCheck(progress.partitions, now) : { status: 'down' as const, error: `progress unknown: ${progress.error}` };
    const checks = { database, kafka, smtp, consumer };
    const healthy = Object.values(checks).every((c) => c.status === 'up');
    if (healthy !== (this.report.status === 'ok') && this.report.checkedAt !== null) {
      this.logger[healthy ? 'log' : 'warn']({ checks, msg: healthy ? 'healthy again' : 'unhealthy' });
    }
    this.report = { status: healthy ? 'ok' : 'error', checkedAt: new Date(now).toISOString(), checks };
  }

  private consumerCheck(partitions: PartitionProgress[], now: number): ConsumerCheck {
    const topic = this.config.kafka.articlesTopic;
    for (const { partition, lag } of partitions) this.metrics.consumerLag.set({ topic, partition: String(partition) }, lag);
    const lag = Object.fromEntries(partitions.map((p) => [String(p.partition), p.lag]));
    const { supervisor } = this.consumer;
    const { tracked, stalled } = consumerProgress({
      previous: this.standstills,
      progress: partitions,
      assigned: supervisor.partitions,
      now,
      stallLimitMs: this.config.kafka.batchDeadlineMs,
    });
    this.standstills = tracked;
    if (supervisor.joinOverdue()) return { status: 'down', error: 'article consumer has not been in its group for longer than a rebalance takes', lag };
    if (stalled.length > 0) {
      const worst = stalled.reduce((a, b) => (b.stalledMs > a.stalledMs ? b : a));
      return { status: 'down', error: `partition ${worst.partition}: ${worst.lag} event(s) waiting, no progress for ${Math.round(worst.stalledMs / 1000)} s`, lag };
    }
    return { status: 'up', lag };
  }
}

async function probe(work: () => Promise<unknown>): Promise<CheckResult> {
  try {
    await withTimeout(work());
    return { status: 'up' };
  } catch (error) {
    return { status: 'down', error: firstLine(error) };
  }
}

async function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    work.catch(() => undefined);
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}
