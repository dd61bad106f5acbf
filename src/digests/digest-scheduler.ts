import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/config';
import { Clock } from '../common/clock';
import { DigestRunService } from './digest-run.service';

const JOB_NAME = 'digest-tick';
/** A tick the event loop delays by up to this much still runs; a later one is left to the next tick, which catches up anyway. */
const LATE_TICK_TOLERANCE_MS = 60_000;

/**
 * The cron only finds out what time it is and hands it on: which subscribers are
 * due, and what they get, is DigestRunService's business. A tick that comes while
 * the previous run is still going is skipped; the next one picks up whatever
 * became due meanwhile, because due means "slot at or before now".
 */
@Injectable()
export class DigestScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DigestScheduler.name);
  private ticking = false;

  constructor(
    private readonly runs: DigestRunService,
    private readonly registry: SchedulerRegistry,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const job = CronJob.from({
      cronTime: this.config.digestTickCron,
      onTick: () => this.tick(),
      // Whole-hour slots are the same instants in every zone's cron reading; UTC keeps the host's TZ out of it.
      timeZone: 'UTC',
      waitForCompletion: true,
      threshold: LATE_TICK_TOLERANCE_MS,
      start: false,
    });
    this.registry.addCronJob(JOB_NAME, job);
    job.start();
  }

  /** No new ticks; a run in progress is wound down by DigestRunService's own shutdown, between two batches. */
  beforeApplicationShutdown(): void {
    if (!this.registry.doesExist('cron', JOB_NAME)) return;
    void this.registry.getCronJob(JOB_NAME).stop();
    this.registry.deleteCronJob(JOB_NAME);
  }

  /** Resolves when the tick's run is over; never rejects (a failed run is retried by the next tick). */
  async tick(): Promise<void> {
    if (this.ticking) {
      this.logger.debug({ msg: 'digest tick skipped: the previous run is still going' });
      return;
    }
    this.ticking = true;
    try {
      await this.runs.run(this.clock.now(), 'tick');
    } catch (error) {
      this.logger.error({ err: (error as Error).message, msg: 'digest tick failed; the next tick catches up' });
    } finally {
      this.ticking = false;
    }
  }
}
