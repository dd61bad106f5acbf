import { Admin, ITopicConfig } from 'kafkajs';

/** Metadata answers a KRaft broker gives while a brand-new topic's partitions are still being set up. */
const SETTLING_ERRORS = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

/**
 * What a KRaft cluster answers to createTopics while its brokers have not yet registered
 * with the controller ("only 0 broker(s) are registered"), which lags the moment they
 * start answering requests.
 */
const NOT_REGISTERED_YET = 'INVALID_REPLICATION_FACTOR';

const POLL_INTERVAL_MS = 100;

interface KafkaJSErrorShape {
  type?: unknown;
  originalError?: unknown;
  /** KafkaJSAggregateError: one per topic. */
  errors?: unknown;
}

/** kafkajs wraps a protocol error in KafkaJSNumberOfRetriesExceeded once its own retries run out. */
function isSettling(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { type, originalError } = error as KafkaJSErrorShape;
  return SETTLING_ERRORS.has(String(type)) || isSettling(originalError);
}

/** Every error createTopics reported is the broker not being registered yet. */
function isBeforeRegistration(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { type, errors } = error as KafkaJSErrorShape;
  if (Array.isArray(errors) && errors.length > 0) return errors.every(isBeforeRegistration);
  return type === NOT_REGISTERED_YET;
}

/**
 * Creates a topic (a no-op when it exists) and returns once every partition has a leader.
 *
 * kafkajs' own `waitForLeaders` retries only LEADER_NOT_AVAILABLE, but a Kafka 4 broker may
 * first answer UNKNOWN_TOPIC_OR_PARTITION for a topic it has just acknowledged
 * (kafkajs#815, #1222), which made `createTopics` throw for a topic that was in fact created.
 * A broker that has only just started may also refuse the topic until it has registered;
 * that is retried too, and a replication factor the cluster really cannot meet still
 * fails with the same error once the time is up.
 */
export async function createTopicAndWait(admin: Admin, topic: ITopicConfig, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await admin.createTopics({ waitForLeaders: false, topics: [topic] });
      break;
    } catch (error) {
      if (!isBeforeRegistration(error) || Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
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
