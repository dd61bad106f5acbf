import { Admin, Kafka, logLevel } from 'kafkajs';
import { uniqueName } from './kafka';

/** partition → offset; a partition nobody committed reads as 0. */
export type Offsets = Map<number, number>;

/** A short-lived admin client for one question to the broker. */
export async function withAdmin<T>(brokers: string[], work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Kafka({ clientId: uniqueName('test-admin'), brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

export function committedOffsets(brokers: string[], groupId: string, topic: string): Promise<Offsets> {
  return withAdmin(brokers, async (admin) => {
    const [found] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map(found.partitions.map(({ partition, offset }) => [partition, Math.max(0, Number(offset))]));
  });
}

/** The offset the next message produced to each partition will get. */
export function endOffsets(brokers: string[], topic: string): Promise<Offsets> {
  return withAdmin(brokers, async (admin) => new Map((await admin.fetchTopicOffsets(topic)).map(({ partition, high }) => [partition, Number(high)])));
}

export function totalOf(offsets: Offsets): number {
  return [...offsets.values()].reduce((sum, offset) => sum + offset, 0);
}

/** Sum over partitions of the group's committed offsets (a partition never committed counts 0). */
export async function committedTotal(brokers: string[], groupId: string, topic: string): Promise<number> {
  return totalOf(await committedOffsets(brokers, groupId, topic));
}

/** Sum over partitions of the end offsets: how many messages the topic holds. */
export async function endTotal(brokers: string[], topic: string): Promise<number> {
  return totalOf(await endOffsets(brokers, topic));
}
