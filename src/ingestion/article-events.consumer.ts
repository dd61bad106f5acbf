import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { EachBatchPayload, Kafka } from 'kafkajs';
import { backoffDelay, BackoffPolicy } from '../common/backoff';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/config';
import { classifyDatabaseError, DatabaseFailure, describeDatabaseError } from '../database/prisma-errors';
import { ConsumerSupervisor } from '../kafka/consumer-supervisor';
import { DlqUnavailableError } from '../kafka/dlq.publisher';
import { BatchDeadlineExceeded, withHeartbeats } from '../kafka/heartbeats';
import { KAFKA } from '../kafka/kafka.provider';
import { KafkaTopicsService } from '../kafka/kafka-topics.service';
import { ArticleIngestionService, SourcedMessage } from './article-ingestion.service';
import { storeFailureReason } from './store-failure-reason';

/** Messages stored per statement: big enough to amortise the round trip, small enough to heartbeat often. */
const CHUNK_SIZE = 500;
/** A deadlock or serialisation failure is retried this often before the message is parked. */
const CONFLICT_RETRIES = 3;
/** Waits between attempts while the database (or the DLQ) is unavailable, locked or stuck. */
const OUTAGE_BACKOFF: BackoffPolicy = { baseMs: 2_000, maxMs: 10_000, minMs: 1_000 };

/**
 * The article topic's consumer: kafka/ keeps the group member alive; this hands
 * chunks of each batch to ArticleIngestionService and decides only about retries
 * and offsets — an offset is committed only once every message before it is stored
 * or parked. A step that runs past CONSUMER_BATCH_DEADLINE_MS fails the batch.
 */
@Injectable()
export class ArticleEventsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ArticleEventsConsumer.name);
  readonly supervisor: ConsumerSupervisor;
  private readonly timing: { intervalMs: number; deadlineMs: number };

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly topics: KafkaTopicsService,
    private readonly ingestion: ArticleIngestionService,
  ) {
    const { groupId, articlesTopic, sessionTimeoutMs, batchDeadlineMs } = config.kafka;
    this.supervisor = new ConsumerSupervisor(kafka, { groupId, topic: articlesTopic, sessionTimeoutMs, eachBatch: (payload) => this.handleBatch(payload) });
    this.timing = { intervalMs: this.supervisor.heartbeatIntervalMs, deadlineMs: batchDeadlineMs };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.topics.ensureTopics();
    this.supervisor.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.supervisor.stop();
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
        const delay = backoffDelay(outage, OUTAGE_BACKOFF);
        this.logger.warn({ topic: chunk[0].source.topic, partition: chunk[0].source.partition, delay, err: describeDatabaseError(error), msg: 'database or DLQ unavailable; retrying' });
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
            if (!(await this.pauseWithHeartbeat(backoffDelay(attempt, OUTAGE_BACKOFF), payload))) return false;
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
        const delay = backoffDelay(attempt, OUTAGE_BACKOFF);
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
    if (error instanceof BatchDeadlineExceeded) {
      // Not retried here: the batch fails, kafkajs retries it and restarts the consumer if
      // it keeps failing, and health reports the partition stalled meanwhile.
      this.logger.error({ deadlineMs: error.deadlineMs, msg: 'article batch ran past its deadline; failing the batch' });
      throw error;
    }
    // A DLQ that refuses a poison message is an outage too: wait, never crash or re-blame the message.
    if (error instanceof DlqUnavailableError) return 'unavailable';
    const failure = classifyDatabaseError(error);
    if (failure === 'unavailable') return failure;
    return (await this.ingestion.storeAnswers()) ? failure : 'unavailable';
  }

  private withHeartbeats<T>(payload: EachBatchPayload, work: () => Promise<T>): Promise<T> {
    return withHeartbeats(payload, this.timing, work);
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
