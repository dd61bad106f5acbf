import type { Message } from 'kafkajs';
import { produce } from '../../support/kafka';

/** The contract's example event; tests override only what they are about. */
export function anArticleEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'aichief-2026-musk-synthetic-data',
    title: 'Elon Musk Agrees AI Training Data Has Been Exhausted, Advocates for Synthetic Data',
    url: 'https://example.com/news/musk-synthetic-data',
    summary: 'Elon Musk confirms that AI training data is exhausted and suggests synthetic data as the future solution.',
    tags: ['news', 'ainews', 'syntheticdata'],
    publishedAt: '2026-11-23T09:00:00Z',
    author: 'Editorial Staff',
    imageUrl: 'https://example.com/img/musk.jpg',
    breaking: false,
    ...overrides,
  };
}

/** As the CMS publishes it: key = the article id, value = UTF-8 JSON. */
export function articleMessage(event: Record<string, unknown>, extra: Partial<Message> = {}): Message {
  return { key: String(event.id), value: JSON.stringify(event), ...extra };
}

/** `count` distinct valid events, ids `${prefix}-0` … , one minute apart. */
export function manyArticleEvents(prefix: string, count: number, start = 0): Record<string, unknown>[] {
  const base = Date.parse('2026-11-23T00:00:00Z');
  return Array.from({ length: count }, (_, i) =>
    anArticleEvent({
      id: `${prefix}-${start + i}`,
      title: `Story ${start + i}`,
      url: `https://example.com/news/${prefix}/${start + i}`,
      tags: ['news', `t${(start + i) % 7}`],
      publishedAt: new Date(base + (start + i) * 60_000).toISOString(),
    }),
  );
}

/** Sends of this many messages stay under the broker's default 1 MB request limit. */
const SEND_SIZE = 1000;

/** Publishes events as the CMS would (key = id), in order, in sends the broker accepts. */
export async function publishEvents(brokers: string[], topic: string, events: Record<string, unknown>[]): Promise<void> {
  for (let start = 0; start < events.length; start += SEND_SIZE) {
    await produce(brokers, topic, events.slice(start, start + SEND_SIZE).map((event) => articleMessage(event)));
  }
}
