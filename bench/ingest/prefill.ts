import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { createTopicAndWait } from '../../src/kafka/create-topic';

const SEND_SIZE = 2000;
const TAGS = ['news', 'ainews', 'politics', 'science', 'sport', 'climate', 'business', 'tech', 'health', 'culture'];

/** A realistic event (about 600 bytes): the contract's shape with every optional field set. */
export function benchEvent(i: number): Record<string, unknown> {
  return {
    id: `bench-${i}`,
    title: `Story number ${i}: what the committee decided and why it matters`,
    url: `https://example.com/news/${i}/what-the-committee-decided`,
    summary: 'A summary of the story of a couple of sentences, as the CMS sends it, long enough to be realistic. '.repeat(2).trim(),
    tags: [TAGS[i % TAGS.length], TAGS[(i * 7 + 3) % TAGS.length], `#Topic${i % 50}`],
    publishedAt: new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString(),
    author: 'Editorial Staff',
    imageUrl: `https://example.com/img/${i}.jpg`,
    breaking: false,
  };
}

/** Creates the topic and fills it with `count` valid events keyed by id, as the CMS would. */
export async function prefillTopic(brokers: string[], topic: string, partitions: number, count: number): Promise<void> {
  const kafka = new Kafka({ clientId: 'dispatch-bench-prefill', brokers, logLevel: logLevel.WARN });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await createTopicAndWait(admin, { topic, numPartitions: partitions });
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (let start = 0; start < count; start += SEND_SIZE) {
      const messages = [];
      for (let i = start; i < Math.min(count, start + SEND_SIZE); i++) {
        const event = benchEvent(i);
        messages.push({ key: String(event.id), value: JSON.stringify(event) });
      }
      await producer.send({ topic, acks: -1, messages });
    }
  } finally {
    await producer.disconnect();
  }
}

export async function deleteTopics(brokers: string[], topics: string[]): Promise<void> {
  const admin = new Kafka({ clientId: 'dispatch-bench-cleanup', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}
