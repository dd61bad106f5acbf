import { randomBytes } from 'node:crypto';
import { IHeaders, Kafka, KafkaMessage, logLevel, Message, Partitioners } from 'kafkajs';
import { createTopicAndWait } from '../../src/kafka/create-topic';

export { kafkaBrokers } from './env';

/** Topic and group names that never collide between tests, workers or runs. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

function client(brokers: string[]): Kafka {
  // Helpers report failures by throwing; kafkajs' own retry chatter (e.g. the
  // coordinator of a brand-new group not being ready yet) is noise here.
  return new Kafka({ clientId: uniqueName('dispatch-test'), brokers, logLevel: logLevel.NOTHING });
}

export async function createTopic(brokers: string[], topic: string, partitions = 1): Promise<void> {
  const admin = client(brokers).admin();
  await admin.connect();
  try {
    await createTopicAndWait(admin, { topic, numPartitions: partitions });
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopic(brokers: string[], topic: string): Promise<void> {
  const admin = client(brokers).admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [topic] });
  } finally {
    await admin.disconnect();
  }
}

/** Publishes messages as given (raw bytes allowed: poison-message tests need them). */
export async function produce(brokers: string[], topic: string, messages: Message[]): Promise<void> {
  const producer = client(brokers).producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    await producer.send({ topic, messages });
  } finally {
    await producer.disconnect();
  }
}

export interface ConsumedMessage {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
  /** value as UTF-8, for the common case. */
  text: string | null;
}

function toConsumed(partition: number, message: KafkaMessage): ConsumedMessage {
  return {
    partition,
    offset: message.offset,
    key: message.key,
    value: message.value,
    headers: message.headers ?? {},
    text: message.value === null ? null : message.value.toString('utf8'),
  };
}

function committableOffsets(topic: string, messages: ConsumedMessage[]) {
  const next = new Map<number, bigint>();
  for (const { partition, offset } of messages) {
    const candidate = BigInt(offset) + 1n;
    if (candidate > (next.get(partition) ?? 0n)) next.set(partition, candidate);
  }
  return [...next].map(([partition, offset]) => ({ topic, partition, offset: offset.toString() }));
}

/**
 * Reads the topic from the beginning in a group of its own until `count`
 * messages arrived; fails after timeoutMs saying how many did.
 */
export async function consumeAll(
  brokers: string[],
  topic: string,
  options: { count: number; timeoutMs?: number; groupId?: string },
): Promise<ConsumedMessage[]> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const consumer = client(brokers).consumer({ groupId: options.groupId ?? uniqueName('dispatch-test-group') });
  const received: ConsumedMessage[] = [];
  let timer: NodeJS.Timeout | undefined;
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`consumeAll(${topic}): ${received.length} of ${options.count} messages within ${timeoutMs} ms`)),
        timeoutMs,
      );
      if (options.count === 0) resolve();
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            if (received.length >= options.count) return;
            received.push(toConsumed(partition, message));
            if (received.length === options.count) resolve();
          },
        })
        .catch(reject);
    });
    // Committed explicitly: disconnecting right after the last message may
    // otherwise stop the batch before kafkajs' auto-commit of it.
    await consumer.commitOffsets(committableOffsets(topic, received));
    return received;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
}
