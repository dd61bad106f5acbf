import type { Message } from 'kafkajs';
import { theContractExample } from '../../support/builders';
import { produce } from '../../support/kafka';

export { theContractExample } from '../../support/builders';

/** As the CMS publishes it: key = the article id, value = UTF-8 JSON. */
export function articleMessage(event: Record<string, unknown>, extra: Partial<Message> = {}): Message {
  return { key: String(event.id), value: JSON.stringify(event), ...extra };
}

/** `count` distinct valid events, ids `${prefix}-0` … , one minute apart. */
export function manyArticleEvents(prefix: string, count: number, start = 0): Record<string, unknown>[] {
  const base = Date.parse('2026-11-23T00:00:00Z');
  return Array.from({ length: count }, (_, i) =>
    theContractExample({
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
