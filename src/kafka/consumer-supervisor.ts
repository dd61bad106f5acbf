import { Logger } from '@nestjs/common';
import { Consumer, ConsumerConfig, EachBatchPayload, Kafka } from 'kafkajs';
import { backoffDelay, BackoffPolicy } from '../common/backoff';

/** kafkajs' default: how long a rebalance waits for members to rejoin. */
const REBALANCE_TIMEOUT_MS = 60_000;
const RESTART_BACKOFF: BackoffPolicy = { baseMs: 2_000, maxMs: 10_000, minMs: 1_000 };

export type ConsumerState = 'starting' | 'running' | 'restarting' | 'stopped';

export interface SupervisedConsumerOptions {
  groupId: string;
  topic: string;
  sessionTimeoutMs: number;
  eachBatch: (payload: EachBatchPayload) => Promise<void>;
}

/**
 * One consumer group member kept alive for as long as the service runs. When kafkajs
 * gives a consumer up (a crash it will not restart from, or a start that fails), a new
 * one takes over after a backoff: consumption never stays stopped in a process that
 * still looks alive. It knows whether the member is in its group and which partitions
 * it holds, which is what health asks.
 */
export class ConsumerSupervisor {
  private readonly logger: Logger;
  private consumer?: Consumer;
  private _state: ConsumerState = 'starting';
  /** Since when this member has been out of its group (start-up, a crash); undefined while in it. */
  private outOfGroupSince?: number;
  private assigned: number[] = [];
  private restarts = 0;
  private restartTimer?: NodeJS.Timeout;
  private stopping = false;
  /** The current consumer's connect and subscribe, settled either way. */
  private connecting?: Promise<void>;
  /** Kafka's advice: a third of the session, so two heartbeats may go missing before the member is evicted. */
  readonly heartbeatIntervalMs: number;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: SupervisedConsumerOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.logger = new Logger(`ConsumerSupervisor:${options.topic}`);
    this.heartbeatIntervalMs = Math.min(3_000, Math.floor(options.sessionTimeoutMs / 3));
    this.outOfGroupSince = now();
  }

  get state(): ConsumerState {
    return this._state;
  }

  /** Partitions of the topic this member was given at its last join (none while out of the group). */
  get partitions(): readonly number[] {
    return this.assigned;
  }

  /**
   * Out of its group for longer than a dead member's session plus a rebalance can
   * explain: a consumer that never gets (back) in, not one that is merely joining.
   */
  joinOverdue(): boolean {
    return this.outOfGroupSince !== undefined && this.now() - this.outOfGroupSince > this.options.sessionTimeoutMs + REBALANCE_TIMEOUT_MS;
  }

  /**
   * Not awaited by start-up: run() resolves once the group has taken this member in,
   * and after a crash the group first waits out the dead member's session. Start-up
   * would hold the HTTP API and /health down that long after every restart.
   */
  start(): void {
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      sessionTimeout: this.options.sessionTimeoutMs,
      heartbeatInterval: this.heartbeatIntervalMs,
      maxBytesPerPartition: 4 * 1024 * 1024,
      // kafkajs' own restart after a crash, but never once stop() began: it would rejoin
      // the group after disconnect() returned (kafkajs' default retries otherwise).
      retry: { retries: 5, restartOnFailure: async () => !this.stopping },
    } satisfies ConsumerConfig);
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.leftGroup();
      if (payload.restart) {
        this._state = 'restarting';
        this.logger.error({ err: payload.error.message, msg: 'consumer crashed; kafkajs restarts it' });
      } else {
        this.replace(consumer, payload.error);
      }
    });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this._state = 'running';
      this.outOfGroupSince = undefined;
      this.restarts = 0;
      this.assigned = [...(payload?.memberAssignment?.[this.options.topic] ?? [])];
    });
    const connecting = (async () => {
      await consumer.connect();
      await consumer.subscribe({ topic: this.options.topic, fromBeginning: true });
    })();
    this.connecting = connecting.catch(() => undefined);
    connecting
      .then(() => {
        // Stopped while connecting: run() now would join the group after disconnect() returned.
        if (this.stopping) return;
        return consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: this.options.eachBatch });
      })
      .catch((error: Error) => this.replace(consumer, error));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    // A consumer still connecting is disconnected only once it has: before, disconnect() had nothing to stop.
    await this.connecting;
    // disconnect() waits for the in-flight batch, whose offsets are committed as it goes.
    await this.consumer?.disconnect();
    this._state = 'stopped';
  }

  private leftGroup(): void {
    this.outOfGroupSince ??= this.now();
    this.assigned = [];
  }

  /** Disconnects a consumer kafkajs gave up on and, after a backoff, starts a new one. */
  private replace(consumer: Consumer, error: Error): void {
    if (this.stopping || this.consumer !== consumer || this.restartTimer) return;
    this._state = 'restarting';
    this.leftGroup();
    this.restarts += 1;
    const delay = backoffDelay(this.restarts, RESTART_BACKOFF);
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
}
