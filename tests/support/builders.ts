import { randomUUID } from 'node:crypto';
import { PrismaClient } from '../../src/generated/prisma/client';
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

/** An article event as the CMS publishes it; `publishedAt` as the contract's ISO string. */
export function articleEvent(id: string, fields: { title?: string; summary?: string; tags?: string[]; publishedAt?: Date } = {}) {
  return {
    id,
    title: fields.title ?? `Headline for ${id}`,
    url: `https://news.example.com/${encodeURIComponent(id)}`,
    summary: fields.summary ?? `What happened in ${id}.`,
    tags: fields.tags ?? ['ainews'],
    publishedAt: (fields.publishedAt ?? new Date()).toISOString(),
    author: 'Editorial Staff',
  };
}
