import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { ArticleEventInput, parseArticleEvent } from '../../src/articles/article-event';
import { REPO_ROOT } from '../infra/paths';

export const SAMPLE_ARTICLES_FILE = join(REPO_ROOT, 'fixtures', 'sample-articles.json');
export const SAMPLE_READERS_FILE = join(REPO_ROOT, 'fixtures', 'sample-readers.json');

/** An article event exactly as it goes on the topic (CONTRACT.md "Article events"). */
export type ArticleEventJson = ArticleEventInput & { publishedAt: string };

export interface SampleArticles {
  articles: ArticleEventJson[];
  /** Sent as the breaking alert, after the digest. */
  breaking: ArticleEventJson;
}

export interface SampleReader {
  email: string;
  tags: string[];
  frequency: 'daily' | 'weekly';
  timezone: string;
}

/** Reads the fixture and checks every event against the service's own event schema, so a typo fails here and not in the DLQ. */
export function loadSampleArticles(file = SAMPLE_ARTICLES_FILE): SampleArticles {
  const data = JSON.parse(readFileSync(file, 'utf8')) as SampleArticles;
  for (const event of [...data.articles, data.breaking]) {
    const decoded = parseArticleEvent(event);
    if (!decoded.ok) throw new Error(`${file}: article "${String(event.id)}" is not a valid event: ${decoded.reason}`);
  }
  return data;
}

export function loadSampleReaders(file = SAMPLE_READERS_FILE): SampleReader[] {
  return (JSON.parse(readFileSync(file, 'utf8')) as { readers: SampleReader[] }).readers;
}

/**
 * Moves every publishedAt by one offset so the newest is `newestAgeMs` before `now`,
 * keeping the spacing between stories: a digest for "the last 24 hours" then finds
 * them whenever the demo runs.
 */
export function shiftToRecent<T extends { publishedAt: string }>(events: readonly T[], now: Date, newestAgeMs: number): T[] {
  const newest = Math.max(...events.map((event) => Date.parse(event.publishedAt)));
  const offset = now.getTime() - newestAgeMs - newest;
  return events.map((event) => ({ ...event, publishedAt: new Date(Date.parse(event.publishedAt) + offset).toISOString() }));
}

/** A short stamp for this run, e.g. d261124t0915 — safe in an address tag and an article id. */
export function runTagFor(now: Date): string {
  return `d${DateTime.fromJSDate(now, { zone: 'utc' }).toFormat("yyMMdd't'HHmmss")}`;
}

/** maya.chen@example.com → maya.chen+<run>@example.com: each run subscribes readers the service has not seen. */
export function taggedAddress(email: string, runTag: string): string {
  const at = email.lastIndexOf('@');
  return `${email.slice(0, at)}+${runTag}${email.slice(at)}`;
}

export interface DigestSlot {
  /** The instant the reader's clock next shows a whole hour, at least `minLeadMs` from now. */
  slot: Date;
  sendHour: number;
  /** For weekly readers: the local weekday of that slot. */
  weekday: string;
}

/**
 * The reader's next local whole hour (half-hour zones such as Asia/Kolkata included):
 * a schedule with that sendHour (and weekday) is due there, so one digest run at the
 * latest of the readers' slots covers them all. The lead keeps a confirmation that
 * lands just after a boundary from pushing the slot a day (or a week) away.
 */
export function nextLocalHour(timezone: string, now: Date, minLeadMs: number): DigestSlot {
  let local = DateTime.fromJSDate(now, { zone: timezone }).startOf('hour').plus({ hours: 1 });
  while (local.toMillis() - now.getTime() < minLeadMs) local = local.plus({ hours: 1 });
  return { slot: local.toJSDate(), sendHour: local.hour, weekday: local.setLocale('en').weekdayLong!.toLowerCase() };
}

/** Whether any of the reader's tags is on the article (tags compared as the service normalises them). */
export function sharesTag(readerTags: readonly string[], articleTags: readonly string[]): boolean {
  const wanted = new Set(readerTags.map((tag) => tag.replace(/^#/, '').trim().toLowerCase()));
  return articleTags.some((tag) => wanted.has(tag.replace(/^#/, '').trim().toLowerCase()));
}
