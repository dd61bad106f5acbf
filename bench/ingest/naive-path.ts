import { PrismaPg } from '@prisma/adapter-pg';
import { Kafka, logLevel } from 'kafkajs';
import { decodeArticleEvent } from '../../src/articles/article-event';
import { PrismaClient } from '../../src/generated/prisma/client';
import type { PathOptions, PathResult } from './batched-path';

/**
 * The baseline issue 3 asks to beat: eachMessage with one Prisma upsert per
 * message, on the same topic (in a group of its own), with the same decoder and
 * kafkajs' default auto-commit. The meter starts once the consumer has joined.
 */
export async function measureNaivePath(options: PathOptions): Promise<PathResult> {
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: options.databaseUrl, max: 20 }) });
  const consumer = new Kafka({ clientId: 'dispatch-bench-naive', brokers: options.brokers, logLevel: logLevel.WARN }).consumer({ groupId: options.groupId });
  let stored = 0;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic: options.topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (stored >= options.count) return;
        const decoded = decodeArticleEvent(message.value);
        if (!decoded.ok) throw new Error(`bench data must be valid: ${decoded.reason}`);
        const { id, ...fields } = decoded.article;
        await prisma.article.upsert({ where: { id }, create: { id, ...fields, breakingOnArrival: fields.breaking }, update: fields });
        stored += 1;
        if (stored === options.count) finish();
      },
    });
    await options.meter.start();
    await done;
    return { ...(await options.meter.stop()), stored };
  } finally {
    await consumer.disconnect();
    await prisma.$disconnect();
  }
}
