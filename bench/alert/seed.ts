import { Client } from 'pg';

/** Readers of `small` get the repeated small alerts that measure first-message latency. */
export const SMALL_TAG = 'bench-small';

/** The tag whose readers are exactly the first `size` readers: one audience per alert size. */
export function audienceTag(size: number): string {
  return `bench-aud-${size}`;
}

/**
 * Confirmed readers r0…r{max-1}@readers.bench: the first `smallAudience` read SMALL_TAG,
 * and reader i reads audienceTag(size) for every size > i, so an alert to
 * audienceTag(10000) has exactly 10,000 recipients. Written by one statement.
 */
export async function seedReaders(databaseUrl: string, sizes: readonly number[], smallAudience: number): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const max = Math.max(smallAudience, ...sizes);
    await client.query(
      `INSERT INTO "Subscriber" ("id", "email", "status", "tags", "confirmedAt", "updatedAt")
       SELECT gen_random_uuid(), 'r' || i || '@readers.bench', 'confirmed',
              ARRAY(SELECT t FROM unnest($2::int[], $3::text[]) AS s(size, t) WHERE i < s.size)
                || CASE WHEN i < $4 THEN ARRAY[$5::text] ELSE ARRAY[]::text[] END,
              now(), now()
       FROM generate_series(0, $1 - 1) AS i`,
      [max, [...sizes], sizes.map(audienceTag), smallAudience, SMALL_TAG],
    );
    await client.query('ANALYZE "Subscriber"');
  } finally {
    await client.end();
  }
}

/** An article event as the CMS sends it, for the alerted stories and their related ones. */
export function benchArticle(id: string, tags: string[], publishedAt: Date, breaking = false) {
  return {
    id,
    title: `Breaking: what happened in ${id}, and what it means for readers`,
    url: `https://news.example.com/${id}`,
    summary: 'Two sentences of summary, as the CMS sends them. Long enough to look like a real story in the email.',
    tags,
    publishedAt: publishedAt.toISOString(),
    author: 'Editorial Staff',
    imageUrl: `https://news.example.com/img/${id}.jpg`,
    breaking,
  };
}

/** Stores articles straight away (the alerted ones are referenced by id in POST /alerts). */
export async function seedArticles(databaseUrl: string, articles: readonly ReturnType<typeof benchArticle>[]): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO "Article" ("id", "title", "url", "summary", "author", "imageUrl", "tags", "publishedAt", "updatedAt")
       SELECT r."id", r."title", r."url", r."summary", r."author", r."imageUrl",
              ARRAY(SELECT jsonb_array_elements_text(r."tags")), r."publishedAt", now()
       FROM jsonb_to_recordset($1::jsonb) AS r("id" text, "title" text, "url" text, "summary" text, "author" text,
                                               "imageUrl" text, "tags" jsonb, "publishedAt" timestamptz)`,
      [JSON.stringify(articles)],
    );
  } finally {
    await client.end();
  }
}

/** The push subscriptions of the repeated small push alerts (the first-push percentiles). */
export const PUSH_SMALL_TAG = 'bench-push-small';
/** Every push subscription's tag: the large push alert reaches them all. No reader has a push tag. */
export const PUSH_ALL_TAG = 'bench-push-all';

/**
 * `total` push subscriptions on the bench's push service, endpoint `${origin}/push/{i}`
 * with the browser keys pool[i mod pool.length]; the first `small` also carry
 * PUSH_SMALL_TAG. One INSERT … SELECT over generate_series: 100,000 rows in a second or two.
 */
export async function seedPushSubscriptions(
  databaseUrl: string,
  origin: string,
  pool: readonly { p256dh: string; auth: string }[],
  total: number,
  small: number,
): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO "PushSubscription" ("id", "endpoint", "p256dh", "auth", "tags", "updatedAt")
       SELECT gen_random_uuid(), $1 || '/push/' || i, ($2::text[])[1 + i % $4], ($3::text[])[1 + i % $4],
              CASE WHEN i < $6 THEN ARRAY[$7, $8] ELSE ARRAY[$8] END, now()
       FROM generate_series(0, $5 - 1) AS i`,
      [origin, pool.map((keys) => keys.p256dh), pool.map((keys) => keys.auth), pool.length, total, small, PUSH_SMALL_TAG, PUSH_ALL_TAG],
    );
    await client.query('ANALYZE "PushSubscription"');
  } finally {
    await client.end();
  }
}
