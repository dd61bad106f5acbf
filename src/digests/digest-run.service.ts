import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { PrismaService } from '../database/prisma.service';
import { DigestMail, Outbox } from '../deliveries/outbox';
import { MetricsService } from '../metrics/metrics.service';
import { ArticleCatalog } from './article-catalog';
import { CatalogArticlesRepository } from './catalog-articles.repository';
import { DigestPlan, DigestPlanner, PlanningStats } from './digest-planner';
import { DigestRunsRepository, DigestTrigger } from './digest-runs.repository';
import { DigestSubscriber, DigestSubscribersRepository, ScheduleAdvance } from './digest-subscribers.repository';
import { DigestTimetable } from './digest-timetable';
import { PublicationWindow } from './matching';
import { nextSlotAfter } from './schedule';
import { SentArticlesRepository } from './sent-articles.repository';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Subscribers decided and committed together: one due query, one no-repeat query, one transaction. */
export const DIGEST_BATCH_SIZE = 2_000;
/** What a run loads up front: a daily digest's window plus its related stories' week. Weekly catch-ups load more. */
const INITIAL_CATALOG_SPAN_MS = 8 * DAY_MS;
/**
 * Widens the no-repeat lookup's lower bound: article and delivery times may come from
 * different clocks (database default vs application), and looking at too many rows
 * only costs time, while too few could repeat an article.
 */
const STORED_SINCE_SLACK_MS = DAY_MS;
const BATCH_TRANSACTION = { maxWait: 10_000, timeout: 60_000 };
const EMPTY: ReadonlySet<string> = new Set();

export interface StartedRun {
  runId: string;
  /** Subscribers due at the run's instant when it started. */
  due: number;
  /** Settles when the run is over; already has a handler, so ignoring it is safe. */
  finished: Promise<DigestRunReport>;
}

export interface DigestRunReport {
  runId: string;
  at: Date;
  trigger: DigestTrigger;
  due: number;
  /** Digest rows written to the outbox. */
  queued: number;
  /** Periods completed without an email: nothing new. */
  nothingNew: number;
  suppressed: number;
  /** Already taken by another instance (or rescheduled meanwhile): left alone. */
  skipped: number;
  /** Preferences that are not a schedule (e.g. an unknown time zone): left due, logged. */
  invalid: number;
  /** False when shutdown stopped the run between two batches; the next tick finishes the job. */
  complete: boolean;
  durationMs: number;
  /** Selecting each reader's articles (tag index lookups and ranking). */
  matchingMs: number;
  /** Ranking related stories. */
  relatedMs: number;
  /** CPU time of the whole decide step (schedule, matching, related), which, unlike the two above, a busy machine does not inflate. */
  planningCpuMs: number;
}

/**
 * A digest run: every confirmed subscriber whose nextDigestAt is at or before `at`
 * gets the digest of their latest slot (one per period, ever), and their schedule
 * moves to the next slot after `at` — in the same transaction that writes the
 * outbox row, so a crash leaves either both or neither. Runs in one instance are
 * serialised; across instances, the compare-and-set on nextDigestAt decides who
 * handles whom, and the outbox's dedupeKey is the last word on "never twice".
 */
@Injectable()
export class DigestRunService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(DigestRunService.name);
  private readonly planner = new DigestPlanner();
  private queue: Promise<unknown> = Promise.resolve();
  private stopping = false;

  constructor(
    private readonly prisma: PrismaService,
    private readonly subscribers: DigestSubscribersRepository,
    private readonly catalogArticles: CatalogArticlesRepository,
    private readonly sentArticles: SentArticlesRepository,
    private readonly runs: DigestRunsRepository,
    private readonly outbox: Outbox,
    private readonly metrics: MetricsService,
  ) {}

  /** Lets the batch in progress commit, then stops; whatever is left stays due for the next tick. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.queue;
  }

  /** Runs to the end; for the scheduler. */
  async run(at: Date, trigger: DigestTrigger): Promise<DigestRunReport> {
    return (await this.start(at, trigger)).finished;
  }

  /**
   * Records the run and counts who is due, then returns while the run goes on in the
   * background, after any run this instance already has in progress.
   */
  async start(at: Date, trigger: DigestTrigger): Promise<StartedRun> {
    if (Number.isNaN(at.getTime())) throw new RangeError('invalid run instant');
    await this.scheduleUnscheduled(at);
    const due = await this.subscribers.countDue(at);
    const runId = await this.runs.create(at, trigger, due);
    const finished = this.queue.then(() => this.execute(runId, at, trigger, due));
    this.queue = finished.catch(() => undefined);
    finished.catch((error: Error) => this.logger.error({ runId, err: error.message, msg: 'digest run failed; the next tick catches up' }));
    return { runId, due, finished };
  }

  private async execute(runId: string, at: Date, trigger: DigestTrigger, due: number): Promise<DigestRunReport> {
    const started = performance.now();
    const stopTimer = this.metrics.digestRunDuration.startTimer();
    const timetable = new DigestTimetable(at);
    const stats: PlanningStats = { matchingMs: 0, relatedMs: 0 };
    const report: DigestRunReport = {
      runId, at, trigger, due, queued: 0, nothingNew: 0, suppressed: 0, skipped: 0, invalid: 0,
      complete: false, durationMs: 0, matchingMs: 0, relatedMs: 0, planningCpuMs: 0,
    };
    let catalog = await this.loadCatalog({ from: new Date(at.getTime() - INITIAL_CATALOG_SPAN_MS), to: at });
    // Looked at but not advanced (invalid schedule, taken by another instance, changed meanwhile): not again in this run.
    const passed = new Set<string>();
    while (!this.stopping) {
      const batch = await this.subscribers.dueBatch(at, [...passed], DIGEST_BATCH_SIZE);
      if (batch.length === 0) {
        report.complete = true;
        break;
      }
      const { plannable, invalid } = this.coverage(batch, at, timetable);
      report.invalid += invalid.length;
      for (const subscriber of invalid) passed.add(subscriber.id);
      if (plannable.subscribers.length === 0) continue;
      if (!catalog.covers(plannable.span)) catalog = await this.loadCatalog({ from: plannable.span.from, to: at });
      const sent = await this.alreadySent(plannable.subscribers, catalog);
      const cpuBefore = process.cpuUsage();
      const plans = plannable.subscribers.map((subscriber) =>
        this.planner.plan(subscriber, at, { timetable, catalog, alreadySent: sent.get(subscriber.id) ?? EMPTY, stats }),
      );
      const cpu = process.cpuUsage(cpuBefore);
      report.planningCpuMs += (cpu.user + cpu.system) / 1000;
      const committed = await this.commit(runId, plannable.subscribers, plans);
      for (const id of committed.notAdvanced) passed.add(id);
      report.queued += committed.queued;
      report.skipped += committed.skipped;
      report.nothingNew += committed.nothingNew;
      report.suppressed += committed.suppressed;
      this.outbox.queued('digest', committed.queued);
    }
    stopTimer();
    report.durationMs = performance.now() - started;
    report.matchingMs = stats.matchingMs;
    report.relatedMs = stats.relatedMs;
    if (report.complete) await this.runs.finish(runId, { queued: report.queued, empty: report.nothingNew + report.suppressed });
    this.logger.log({ ...report, at: at.toISOString(), msg: report.complete ? 'digest run finished' : 'digest run stopped by shutdown' });
    return report;
  }

  /** Which subscribers of the batch can be planned, and the publication span their digests need. */
  private coverage(batch: readonly DigestSubscriber[], at: Date, timetable: DigestTimetable) {
    const subscribers: DigestSubscriber[] = [];
    const invalid: DigestSubscriber[] = [];
    let from = at.getTime();
    let to = at.getTime();
    for (const subscriber of batch) {
      try {
        const span = this.planner.coverageFor(subscriber, at, timetable);
        from = Math.min(from, span.from.getTime());
        to = Math.max(to, span.to.getTime());
        subscribers.push(subscriber);
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        invalid.push(subscriber);
        this.logger.warn({ subscriberId: subscriber.id, err: error.message, msg: 'subscriber has no valid digest schedule; left due' });
      }
    }
    const span: PublicationWindow = { from: new Date(from), to: new Date(to) };
    return { plannable: { subscribers, span }, invalid };
  }

  private async loadCatalog(span: PublicationWindow): Promise<ArticleCatalog> {
    return new ArticleCatalog(span, await this.catalogArticles.publishedIn(span.from, span.to));
  }

  private async alreadySent(subscribers: readonly DigestSubscriber[], catalog: ArticleCatalog): Promise<Map<string, Set<string>>> {
    if (catalog.storedSince === null) return new Map();
    const since = new Date(catalog.storedSince.getTime() - STORED_SINCE_SLACK_MS);
    return this.sentArticles.sentTo(
      subscribers.filter((subscriber) => !subscriber.suppressed).map((subscriber) => subscriber.id),
      since,
    );
  }

  /** One transaction: move the schedules this instance still owns, and queue their digests. */
  private async commit(runId: string, subscribers: readonly DigestSubscriber[], plans: readonly DigestPlan[]) {
    const advances: ScheduleAdvance[] = plans.map((plan, i) => ({
      id: plan.subscriberId,
      expected: subscribers[i].nextDigestAt as Date,
      next: plan.next,
    }));
    const mails = plans.flatMap((plan) => (plan.outcome === 'digest' ? [digestMail(plan)] : []));
    const { advanced, queued } = await this.prisma.$transaction(async (tx) => {
      const owned = await this.subscribers.advance(advances, tx);
      const count = await this.outbox.queueDigests(
        runId,
        mails.filter((mail) => owned.has(mail.subscriberId)),
        tx,
      );
      return { advanced: owned, queued: count };
    }, BATCH_TRANSACTION);
    let nothingNew = 0;
    let suppressed = 0;
    const notAdvanced: string[] = [];
    for (const plan of plans) {
      if (!advanced.has(plan.subscriberId)) {
        notAdvanced.push(plan.subscriberId);
        continue;
      }
      if (plan.outcome === 'nothing-new') nothingNew++;
      else if (plan.outcome === 'suppressed') suppressed++;
    }
    return { queued, nothingNew, suppressed, skipped: notAdvanced.length, notAdvanced };
  }



  /**
   * Gives a schedule to confirmed subscribers who have none (the subscription flow
   * sets it on confirmation; this only repairs). It is what that flow would have set:
   * the first slot after confirmation, or after `at` when that is unknown — which
   * makes them due in this very run when that slot has passed.
   */
  private async scheduleUnscheduled(at: Date): Promise<void> {
    let after: string | null = null;
    for (;;) {
      const found = await this.subscribers.unscheduled(after, DIGEST_BATCH_SIZE);
      if (found.length === 0) return;
      after = found[found.length - 1].id;
      const rows: { id: string; next: Date }[] = [];
      for (const subscriber of found) {
        try {
          rows.push({ id: subscriber.id, next: nextSlotAfter(subscriber, subscriber.confirmedAt ?? at) });
        } catch (error) {
          if (!(error instanceof RangeError)) throw error;
          this.logger.warn({ subscriberId: subscriber.id, err: error.message, msg: 'subscriber has no valid digest schedule' });
        }
      }
      const repaired = await this.subscribers.schedule(rows);
      if (repaired > 0) this.logger.warn({ repaired, msg: 'confirmed subscribers had no digest schedule; scheduled them' });
    }
  }
}

function digestMail(plan: Extract<DigestPlan, { outcome: 'digest' }>): DigestMail {
  return {
    subscriberId: plan.subscriberId,
    period: plan.period,
    articleIds: plan.articles.map((article) => article.id),
    relatedIds: plan.related.map((article) => article.id),
    more: plan.more,
  };
}
