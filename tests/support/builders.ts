import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../../src/generated/prisma/client';
import { emailHash } from '../../src/suppression/email-hash';

/**
 * Readers and article events as tests write them: readers straight to the database
 * (thousands in one statement), events in the contract's shape. Each suite's
 * fixtures pick their own defaults; the writing is here once.
 */

export interface ReaderSpec {
  email?: string;
  tags?: string[];
  status?: 'pending' | 'confirmed' | 'unsubscribed';
  /** Also writes a suppression for the address. */
  suppressed?: boolean;
  frequency?: 'daily' | 'weekly';
  sendHour?: number;
  timezone?: string;
  /** ISO, 1 = Monday. */
  weekday?: number;
  nextDigestAt?: Date | null;
}

export interface Reader {
  id: string;
  email: string;
}

/** What a suite's readers are unless a spec says otherwise. */
export interface ReaderDefaults {
  /** The start of every generated address. */
  label: string;
  tags: string[];
  /** When a confirmed (or since unsubscribed) reader confirmed. */
  confirmedAt: () => Date;
  /** The digest schedule of a reader whose spec leaves it out. */
  nextDigestAt: (status: NonNullable<ReaderSpec['status']>) => Date | null;
}

const INSERT_CHUNK = 5_000;
let readerCounter = 0;

export async function insertReaders(
  prisma: PrismaClient,
  count: number,
  spec: (index: number) => ReaderSpec,
  defaults: ReaderDefaults,
): Promise<Reader[]> {
  const run = randomUUID().slice(0, 8);
  const rows = Array.from({ length: count }, (_, index) => {
    const wanted = spec(index);
    const status = wanted.status ?? 'confirmed';
    return {
      row: {
        id: randomUUID(),
        email: wanted.email ?? `${defaults.label}-${run}-${++readerCounter}@readers.test`,
        status,
        tags: wanted.tags ?? defaults.tags,
        frequency: wanted.frequency ?? 'daily',
        sendHour: wanted.sendHour ?? 7,
        timezone: wanted.timezone ?? 'UTC',
        weekday: wanted.weekday ?? 1,
        confirmedAt: status === 'pending' ? null : defaults.confirmedAt(),
        unsubscribedAt: status === 'unsubscribed' ? new Date() : null,
        nextDigestAt: wanted.nextDigestAt === undefined ? defaults.nextDigestAt(status) : wanted.nextDigestAt,
      },
      suppressed: wanted.suppressed ?? false,
    };
  });
  for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
    await prisma.subscriber.createMany({ data: rows.slice(start, start + INSERT_CHUNK).map(({ row }) => row) });
  }
  const suppressed = rows.filter((entry) => entry.suppressed);
  if (suppressed.length > 0) {
    await prisma.suppression.createMany({ data: suppressed.map(({ row }) => ({ emailHash: emailHash(row.email), reason: 'hard bounce (test)' })) });
  }
  return rows.map(({ row }) => ({ id: row.id, email: row.email }));
}

/** An article event's JSON as the CMS publishes it (CONTRACT.md), with every field anArticleEvent() fills in. */
export interface ArticleEventJson {
  id: string;
  title: string;
  url: string;
  summary: string;
  tags: string[];
  /** ISO-8601 with an offset, as on the wire. */
  publishedAt: string;
  author: string;
  breaking: boolean;
}

/** CONTRACT.md's example event, field for field. */
export const CONTRACT_EXAMPLE_EVENT = {
  id: 'aichief-2026-musk-synthetic-data',
  title: 'Elon Musk Agrees AI Training Data Has Been Exhausted, Advocates for Synthetic Data',
  url: 'https://example.com/news/musk-synthetic-data',
  summary: 'Elon Musk confirms that AI training data is exhausted and suggests synthetic data as the future solution.',
  tags: ['news', 'ainews', 'syntheticdata'],
  publishedAt: '2026-11-23T09:00:00Z',
  author: 'Editorial Staff',
  imageUrl: 'https://example.com/img/musk.jpg',
  breaking: false,
};

/** CONTRACT.md's example event; tests override only what they are about. */
export function theContractExample(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return anArticleEvent({ ...CONTRACT_EXAMPLE_EVENT, ...overrides });
}

let eventCounter = 0;

/** encodeURIComponent throws on these, and poison events put them in ids. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * The one builder of article events, as the CMS publishes them: a valid event
 * whose title, url and summary follow from its id (a fresh one unless given).
 * Overrides are taken as given — `undefined` leaves a field out, a wrong type
 * makes a poison event — so each suite passes its own defaults (tags, a
 * publishedAt of now) the way it passes ReaderDefaults to insertReaders.
 */
export function anArticleEvent<T extends Record<string, unknown> = Record<never, never>>(overrides: T = {} as T): Omit<ArticleEventJson, keyof T> & T {
  const id = typeof overrides.id === 'string' ? overrides.id : `story-${randomUUID().slice(0, 8)}-${++eventCounter}`;
  const event: ArticleEventJson = {
    id,
    title: `Headline for ${id}`,
    url: `https://news.example.com/${encodeURIComponent(id.replace(LONE_SURROGATE, '\ufffd'))}`,
    summary: `What happened in ${id}.`,
    tags: ['news'],
    publishedAt: '2026-11-23T09:00:00Z',
    author: 'Editorial Staff',
    breaking: false,
  };
  return { ...event, ...overrides };
}

/** What the alert, editor and digest tests say about a story; the rest follows from its id. */
export interface ArticleSpec {
  id?: string;
  title?: string;
  summary?: string;
  tags?: string[];
  publishedAt?: Date;
}

/** A story published now and tagged `ainews` unless the spec says otherwise; fields the spec leaves undefined keep their defaults. */
export function aFreshArticleEvent(spec: ArticleSpec = {}): ArticleEventJson {
  const { publishedAt, tags, ...fields } = spec;
  const given = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
  return anArticleEvent({ ...given, tags: tags ?? ['ainews'], publishedAt: (publishedAt ?? new Date()).toISOString() }) as ArticleEventJson;
}

/** Stores a fresh story straight in the database, as ingestion would have. */
export async function anArticle(prisma: PrismaClient, spec: ArticleSpec = {}): Promise<{ id: string; title: string }> {
  const event = aFreshArticleEvent(spec);
  await prisma.article.create({ data: { ...event, publishedAt: new Date(event.publishedAt) } });
  return { id: event.id, title: event.title };
}
