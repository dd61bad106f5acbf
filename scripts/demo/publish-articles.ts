import { Kafka, logLevel, Partitioners } from 'kafkajs';
import type { ArticleEventJson } from './sample-data';

/** Publishes events the way a CMS would: key = article id, value = the JSON event, acknowledged by every in-sync replica. */
export async function publishArticles(brokers: readonly string[], topic: string, events: readonly ArticleEventJson[]): Promise<void> {
  const kafka = new Kafka({ clientId: 'dispatch-demo', brokers: [...brokers], logLevel: logLevel.ERROR });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({
      topic,
      acks: -1,
      messages: events.map((event) => ({ key: event.id, value: JSON.stringify(event), headers: { 'content-type': 'application/json' } })),
    });
  } finally {
    await producer.disconnect();
  }
}
