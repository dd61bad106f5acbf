import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/config';
import { KAFKA } from '../kafka/kafka.provider';
import { KafkaTopicsService } from '../kafka/kafka-topics.service';
import { classifyDatabaseError, DatabaseFailure } from '../database/prisma-errors';
import { DlqUnavailableError } from '../kafka/dlq.publisher';
import { MetricsService } from '../metrics/metrics.service';
import { ArticleIngestionService, SourcedMessage } from './article-ingestion.service';
import { storeFailureReason } from './store-failure-reason';
import { nextRetryDelay } from '../deliveries/retry-policy';

/** Messages stored per statement: big enough to amortise the round trip, small enough to heartbeat often. */
const CHUNK_SIZE = 500;
/** A deadlock or serialisation failure is retried this often before the message is parked. */
const CONFLICT_RETRIES = 3;
const MAX_OUTAGE_BACKOFF_MS = 10_000;

/** kafkajs' default: how long a rebalance waits for members to rejoin. */
const REBALANCE_TIMEOUT_MS = 60_000;

export type ConsumerState = 'starting' | 'running' | 'restarting' | 'stopped';

/**
 * The article topic's consumer group member. Thin on purpose: it hands chunks
 * to ArticleIngestionService and only decides about retries and offsets —
 * an offset is committed only once every message before it is stored or parked.
 *
 * When kafkajs gives a consumer up (a crash it will not restart from, or a start
 * that fails), a new one takes over after a backoff, for as long as the service
 * runs: ingestion never stays stopped in a process that still looks alive.
 */
@Injectable()
export class ArticleEventsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ArticleEventsConsumer.name);
  private consumer?: Consumer;
  private _state: ConsumerState = 'starting';
  /** Since when this member has been out of its group (start-up, a crash); undefined while in it. */
  private outOfGroupSince? = Date.now();
  private restarts = 0;
  private restartTimer?: NodeJS.Timeout;
  private stopping = false;
  /** Kafka's advice: a third of the session, so two heartbeats may go missing before the member is evicted. */
  private readonly heartbeatIntervalMs: number;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly topics: KafkaTopicsService,
    private readonly ingestion: ArticleIngestionService,
    private readonly metrics: MetricsService,
  ) {
    this.heartbeatIntervalMs = Math.min(3_000, Math.floor(config.kafka.sessionTimeoutMs / 3));
  }

  get state(): ConsumerState {
    return this._state;
  }

  /**
   * Out of its group for longer than a dead member's session plus a rebalance can
   * explain. Health reports that as down, so a consumer that never gets (back) in
   * is not mistaken for one that is merely joining.
   */
  joinOverdue(now = Date.now()): boolean {
    return this.outOfGroupSince !== undefined && now - this.outOfGroupSince > this.config.kafka.sessionTimeoutMs + REBALANCE_TIMEOUT_MS;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.topics.ensureTopics();
    this.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    // disconnect() waits for the in-flight batch, whose offsets are committed as it goes.
    await this.consumer?.disconnect();
    this._state = 'stopped';
  }

  /**
   * Not awaited by start-up: run() resolves once the group has taken this member in,
   * and after a crash the group first waits out the dead member's session
   * (KAFKA_SESSION_TIMEOUT_MS). Start-up would hold the HTTP API and /health down that
   * long after every restart — long enough for a liveness probe to kill the
   * replacement too. The state says "starting" until it joins.
   */
  private start(): void {
    const consumer = this.kafka.consumer({
      groupId: this.config.kafka.groupId,
      sessionTimeout: this.config.kafka.sessionTimeoutMs,
      heartbeatInterval: this.heartbeatIntervalMs,
      maxBytesPerPartition: 4 * 1024 * 1024,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.outOfGroupSince ??= Date.now();
      if (payload.restart) {
        this._state = 'restarting';
        this.logger.error({ err: payload.error.message, msg: 'consumer crashed; kafkajs restarts it' });
      } else {
        this.replace(consumer, payload.error);
      }
    });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this._state = 'running';
      this.outOfGroupSince = undefined;
      this.restarts = 0;
    });
    const running = async () => {
      await consumer.connect();
      await consumer.subscribe({ topic: this.config.kafka.articlesTopic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: (payload) => this.handleBatch(payload),
      });
    };
    running().catch((error: Error) => this.replace(consumer, error));
  }

  /** Disconnects a consumer kafkajs gave up on and, after a backoff, starts a new one. */
  private replace(consumer: Consumer, error: Error): void {
    if (this.stopping || this.consumer !== consumer || this.restartTimer) return;
    this._state = 'restarting';
    this.outOfGroupSince ??= Date.now();
    this.restarts += 1;
    const delay = Math.min(MAX_OUTAGE_BACKOFF_MS, nextRetryDelay(this.restarts));
    this.logger.error({ err: error.message, retryInMs: delay, msg: 'consumer stopped; a new one takes over' });
    this.restartTimer = setTimeout(() => {
      void consumer
        .disconnect()
        .catch(() => undefined)
        .then(() => {
          this.restartTimer = undefined;
          if (!this.stopping) this.start();
        });
    }, delay);
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const { topic, partition } = batch;
    for (let start = 0; start < batch.messages.length; start += CHUNK_SIZE) {
      if (!payload.isRunning() || payload.isStale()) return;
      const chunk: SourcedMessage[] = batch.messages
        .slice(start, start + CHUNK_SIZE)
        .map((message) => ({ message, source: { topic, partition, offset: message.offset } }));
      const done = await this.storeChunk(chunk, payload);
      if (!done) return;
      payload.resolveOffset(chunk[chunk.length - 1].source.offset);
      await payload.commitOffsetsIfNecessary(payload.uncommittedOffsets());
      await payload.heartbeat();
    }
    const lag = Number(batch.highWatermark) - Number(batch.lastOffset()) - 1;
    this.metrics.consumerLag.set({ topic, partition: String(partition) }, Math.max(0, lag));
  }

  /** Returns false when the consumer is stopping or lost the partition before the chunk was stored. */
  private async storeChunk(chunk: SourcedMessage[], payload: EachBatchPayload): Promise<boolean> {
    let outage = 0;
    for (;;) {
      try {
        await this.withHeartbeats(payload, () => this.ingestion.ingest(chunk));
        return true;
      } catch (error) {
        const failure = await this.diagnose(error);
        if (failure !== 'unavailable') return this.storeOneByOne(chunk, payload);
        outage += 1;
        const delay = Math.min(nextRetryDelay(outage), MAX_OUTAGE_BACKOFF_MS);
        this.logger.warn({ topic: chunk[0].source.topic, partition: chunk[0].source.partition, delay, msg: 'database or DLQ unavailable; retrying' });
        if (!(await this.pauseWithHeartbeat(delay, payload))) return false;
      }
    }
  }

  /**
   * A chunk failed for a reason other than an outage: find the message at
   * fault so the others are stored and it alone is parked with the reason.
   */
  private async storeOneByOne(chunk: SourcedMessage[], payload: EachBatchPayload): Promise<boolean> {
    for (const item of chunk) {
      let attempt = 0;
      for (;;) {
        if (!payload.isRunning() || payload.isStale()) return false;
        try {
          await this.withHeartbeats(payload, () => this.ingestion.ingest([item]));
          break;
        } catch (error) {
          attempt += 1;
          const failure = await this.diagnose(error);
          const retry = failure === 'unavailable' || (failure === 'conflict' && attempt <= CONFLICT_RETRIES);
          if (retry) {
            if (!(await this.pauseWithHeartbeat(Math.min(nextRetryDelay(attempt), MAX_OUTAGE_BACKOFF_MS), payload))) return false;
            continue;
          }
          const reason = storeFailureReason(error);
          if (!(await this.parkWhenPossible(item, reason, payload))) return false;
          break;
        }
      }
    }
    return true;
  }

  /** Parks one message, waiting out a DLQ that refuses it: committing past it would drop it. */
  private async parkWhenPossible(item: SourcedMessage, reason: string, payload: EachBatchPayload): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.withHeartbeats(payload, () => this.ingestion.park([{ ...item, reason }]));
        return true;
      } catch (error) {
        if (!(error instanceof DlqUnavailableError)) throw error;
        const delay = Math.min(nextRetryDelay(attempt), MAX_OUTAGE_BACKOFF_MS);
        this.logger.warn({ topic: item.source.topic, partition: item.source.partition, offset: item.source.offset, delay, msg: 'DLQ unavailable; retrying' });
        if (!(await this.pauseWithHeartbeat(delay, payload))) return false;
      }
    }
  }

  /**
   * What a failed store means. Error codes name most outages, but one they miss
   * (PostgreSQL's 55000 "database is not currently accepting connections", say)
   * would send every valid event of the outage to the DLQ and commit past it:
   * a failure only counts against the messages while the database still answers.
   */
  private async diagnose(error: unknown): Promise<DatabaseFailure> {
    // A DLQ that refuses a poison message is an outage too: wait, never crash or re-blame the message.
    if (error instanceof DlqUnavailableError) return 'unavailable';
    const failure = classifyDatabaseError(error);
    if (failure === 'unavailable') return failure;
    return (await this.ingestion.storeAnswers()) ? failure : 'unavailable';
  }

  /**
   * kafkajs heartbeats only when asked to, between chunks: a store slower than the
   * session (a stalled database, a large alert audience) would get this member evicted,
   * its commit refused and the same chunk redelivered to the same slow store, forever.
   */
  private async withHeartbeats<T>(payload: EachBatchPayload, work: () => Promise<T>): Promise<T> {
    const timer = setInterval(() => void payload.heartbeat().catch(() => undefined), this.heartbeatIntervalMs);
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }

  private async pauseWithHeartbeat(ms: number, payload: EachBatchPayload): Promise<boolean> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (!payload.isRunning() || payload.isStale()) return false;
      await sleep(Math.min(1000, until - Date.now()));
      // Not swallowed: a rebalance announced here must reach kafkajs so this member
      // rejoins now (its chunk is neither stored nor committed), rather than hold
      // its partitions, and stall the whole group, until it is evicted.
      await payload.heartbeat();
    }
    return payload.isRunning() && !payload.isStale();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
