import { Admin, ITopicConfig } from 'kafkajs';

/** Metadata answers a KRaft broker gives while a brand-new topic's partitions are still being set up. */
const SETTLING_ERRORS = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

const POLL_INTERVAL_MS = 100;

interface KafkaJSErrorShape {
  type?: unknown;
  originalError?: unknown;
}

/** kafkajs wraps a protocol error in KafkaJSNumberOfRetriesExceeded once its own retries run out. */
function isSettling(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { type, originalError } = error as KafkaJSErrorShape;
  return SETTLING_ERRORS.has(String(type)) || isSettling(originalError);
}

/**
 * Creates a topic (a no-op when it exists) and returns once every partition has a leader.
 *
 * kafkajs' own `waitForLeaders` retries only LEADER_NOT_AVAILABLE, but a Kafka 4 broker may
 * first answer UNKNOWN_TOPIC_OR_PARTITION for a topic it has just acknowledged
 * (kafkajs#815, #1222), which made `createTopics` throw for a topic that was in fact created.
 */
export async function createTopicAndWait(admin: Admin, topic: ITopicConfig, timeoutMs = 30_000): Promise<void> {
  await admin.createTopics({ waitForLeaders: false, topics: [topic] });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let lastProblem = 'no metadata yet';
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic.topic] });
      const partitions = topics[0]?.partitions ?? [];
      const expected = topic.numPartitions ?? 1;
      if (partitions.length >= expected && partitions.every((partition) => partition.leader >= 0)) return;
      lastProblem = `${partitions.filter((partition) => partition.leader >= 0).length} of ${expected} partitions have a leader`;
    } catch (error) {
      if (!isSettling(error)) throw error;
      lastProblem = (error as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`topic ${topic.topic} not ready after ${timeoutMs} ms: ${lastProblem}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}
