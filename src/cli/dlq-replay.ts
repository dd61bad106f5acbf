import { IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { decodeArticleEvent } from '../articles/article-event';
import { DLQ_ERROR_HEADER } from '../kafka/dlq.publisher';

export interface ReplayOptions {
  dlqTopic: string;
  articlesTopic: string;
  /** The replay's own consumer group: its committed offsets remember what was already replayed. */
  groupId: string;
  limit: number;
  dryRun: boolean;
  /** Gives up when no progress reaches the end in this long (a broker or group that does not answer). */
  timeoutMs?: number;
}

export interface ReplayedMessage {
  partition: number;
  offset: string;
  key: string | null;
  /** Why it was parked (its dispatch-error header). */
  reason: string | null;
  /** What today's decoder says of it: a message still invalid will be parked again. */
  validNow: boolean;
}

export interface ReplayReport {
  /** Messages waiting in the DLQ beyond the group's committed offsets when the replay started. */
  pending: number;
  messages: ReplayedMessage[];
  dryRun: boolean;
}

/** Headers the DLQ publisher added; the rest (the producer's own) travel back unchanged. */
const DISPATCH_HEADER = /^dispatch-/i;

/**
 * Moves parked events back to the articles topic after a fix: each message's
 * key, value and original headers are republished, then — only once the broker
 * has acknowledged them — the replay group's offset moves past them. A replay
 * that dies half-way therefore repeats some messages at worst, which ingestion
 * absorbs (an article id is an upsert). It reads up to the end offsets seen when
 * it started, so messages parked meanwhile wait for the next replay.
 */
export async function replayDlq(kafka: Kafka, options: ReplayOptions): Promise<ReplayReport> {
  const remaining = await pendingPerPartition(kafka, options.dlqTopic, options.groupId);
  const pending = [...remaining.values()].reduce((sum, range) => sum + Number(range.end - range.next), 0);
  const messages: ReplayedMessage[] = [];
  if (pending === 0) return { pending, messages, dryRun: options.dryRun };

  const consumer = kafka.consumer({ groupId: options.groupId, allowAutoTopicCreation: false });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await Promise.all([consumer.connect(), producer.connect()]);
  try {
    await consumer.subscribe({ topic: options.dlqTopic, fromBeginning: true });
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? 120_000;
      timer = setTimeout(() => reject(new Error(`the replay read ${messages.length} of ${pending} messages within ${timeoutMs / 1000} s`)), timeoutMs);
      const open = new Set([...remaining].filter(([, range]) => range.next < range.end).map(([partition]) => partition));
      const finishIfDone = () => {
        if (open.size === 0 || messages.length >= options.limit) resolve();
      };
      consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error));
      consumer
        .run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          eachBatch: async ({ batch, isRunning, isStale }) => {
            const range = remaining.get(batch.partition);
            if (!range || !open.has(batch.partition) || !isRunning() || isStale()) return;
            const room = options.limit - messages.length;
            const taken = batch.messages.filter((message) => BigInt(message.offset) < range.end).slice(0, Math.max(0, room));
            if (taken.length === 0) return;
            if (!options.dryRun) {
              await producer.send({ topic: options.articlesTopic, acks: -1, messages: taken.map(toOriginal) });
              const next = BigInt(taken[taken.length - 1].offset) + 1n;
              await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next.toString() }]);
            }
            messages.push(...taken.map((message) => describe(batch.partition, message)));
            if (BigInt(taken[taken.length - 1].offset) + 1n >= range.end) open.delete(batch.partition);
            finishIfDone();
          },
        })
        .catch(reject);
    }).finally(() => clearTimeout(timer));
  } finally {
    await Promise.allSettled([consumer.disconnect(), producer.disconnect()]);
  }
  return { pending, messages, dryRun: options.dryRun };
}

async function pendingPerPartition(kafka: Kafka, topic: string, groupId: string): Promise<Map<number, { next: bigint; end: bigint }>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [ends, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
    const committedByPartition = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
    return new Map(
      ends.map((partition) => {
        const low = BigInt(partition.low);
        const done = committedByPartition.get(partition.partition) ?? -1n;
        return [partition.partition, { next: done < low ? low : done, end: BigInt(partition.high) }];
      }),
    );
  } finally {
    await admin.disconnect();
  }
}

function toOriginal(message: KafkaMessage) {
  const headers: IHeaders = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value !== undefined && !DISPATCH_HEADER.test(name)) headers[name] = value;
  }
  return { key: message.key, value: message.value, headers };
}

function describe(partition: number, message: KafkaMessage): ReplayedMessage {
  const reason = message.headers?.[DLQ_ERROR_HEADER];
  return {
    partition,
    offset: message.offset,
    key: message.key?.toString('utf8') ?? null,
    reason: reason === undefined ? null : Buffer.isBuffer(reason) ? reason.toString('utf8') : String(reason),
    validNow: decodeArticleEvent(message.value).ok,
  };
}
