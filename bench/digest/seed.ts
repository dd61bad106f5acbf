import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { integerBetween, seededRandom, ZipfSampler } from '../support/random';

export interface SeedOptions {
  subscribers: number;
  articles: number;
  tags: number;
  /** The digest instant: every subscriber's slot, the end of the articles' day. */
  at: Date;
  /** Share of weekly readers (due on the same weekday as `at`). */
  weeklyShare: number;
}

/**
 * Zones and local hours whose slot is the same instant, 07:00 UTC on a November
 * Tuesday (no DST anywhere near): the run meets readers in several zones at once,
 * as a real 07:00 UTC tick would.
 */
const ZONES_AT_0700_UTC_NOVEMBER: readonly [string, number][] = [
  ['UTC', 7],
  ['Europe/London', 7],
  ['Europe/Paris', 8],
  ['Europe/Berlin', 8],
  ['America/New_York', 2],
  ['America/Sao_Paulo', 4],
  ['Asia/Tokyo', 16],
  ['Australia/Sydney', 18],
];
const TUESDAY = 2;
const CHUNK = 5_000;
const WORDS = ['Microsoft', 'ships', 'Maia', 'accelerators', 'regulators', 'approve', 'new', 'chip', 'deal', 'as', 'markets', 'rally', 'after', 'record', 'quarter', 'for', 'cloud', 'AI', 'startups', 'raise', 'funding'];

export function tagName(rank: number): string {
  return `tag${String(rank).padStart(3, '0')}`;
}

function sentence(random: () => number, words: number): string {
  return Array.from({ length: words }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ');
}

/** Writes the confirmed readers, in chunks so the bench process never holds them all. */
export async function seedSubscribers(client: Client, options: SeedOptions): Promise<void> {
  const random = seededRandom(20261124);
  const tags = new ZipfSampler(options.tags, random);
  for (let start = 0; start < options.subscribers; start += CHUNK) {
    const size = Math.min(CHUNK, options.subscribers - start);
    const ids: string[] = [];
    const emails: string[] = [];
    const tagLists: string[] = [];
    const frequencies: string[] = [];
    const hours: number[] = [];
    const zones: string[] = [];
    for (let i = 0; i < size; i++) {
      const [zone, hour] = ZONES_AT_0700_UTC_NOVEMBER[(start + i) % ZONES_AT_0700_UTC_NOVEMBER.length];
      ids.push(randomUUID());
      emails.push(`reader-${start + i}@bench.test`);
      tagLists.push(tags.distinct(integerBetween(random, 3, 8)).map(tagName).join(','));
      frequencies.push(random() < options.weeklyShare ? 'weekly' : 'daily');
      hours.push(hour);
      zones.push(zone);
    }
    await client.query(
      `INSERT INTO "Subscriber" ("id", "email", "status", "tags", "frequency", "sendHour", "timezone", "weekday", "nextDigestAt", "confirmedAt", "updatedAt")
       SELECT id, email, 'confirmed', string_to_array(tags, ','), frequency::"Frequency", hour, zone, $7, $8, $8::timestamptz - interval '30 days', now()
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[]) AS t(id, email, tags, frequency, hour, zone)`,
      [ids, emails, tagLists, frequencies, hours, zones, TUESDAY, options.at.toISOString()],
    );
  }
}

/** The day's articles: published over the 24 hours before the digest instant, 2–5 tags each. */
export async function seedArticles(client: Client, options: SeedOptions): Promise<void> {
  const random = seededRandom(7);
  const tags = new ZipfSampler(options.tags, random);
  const rows = Array.from({ length: options.articles }, (_, i) => {
    const id = `bench-story-${String(i).padStart(4, '0')}`;
    return {
      id,
      title: `${sentence(random, 10)} (${i})`,
      url: `https://news.example.com/2026/11/${id}`,
      summary: `${sentence(random, 30)}.`,
      author: 'Editorial Staff',
      imageUrl: `https://news.example.com/img/${id}.jpg`,
      tags: tags.distinct(integerBetween(random, 2, 5)).map(tagName),
      publishedAt: new Date(options.at.getTime() - Math.floor(random() * 24 * 3_600_000)).toISOString(),
    };
  });
  await client.query(
    `INSERT INTO "Article" ("id", "title", "url", "summary", "author", "imageUrl", "tags", "publishedAt", "updatedAt")
     SELECT r.id, r.title, r.url, r.summary, r.author, r."imageUrl", ARRAY(SELECT jsonb_array_elements_text(r.tags)), r."publishedAt", now()
     FROM jsonb_to_recordset($1::jsonb) AS r(id text, title text, url text, summary text, author text, "imageUrl" text, tags jsonb, "publishedAt" timestamptz)`,
    [JSON.stringify(rows)],
  );
}

export async function seed(url: string, options: SeedOptions): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await seedArticles(client, options);
    await seedSubscribers(client, options);
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
}
