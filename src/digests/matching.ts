/** What matching needs of an article; callers keep whatever else they carry (title, url…). */
export interface CandidateArticle {
  id: string;
  /** Normalised tags. */
  tags: readonly string[];
  publishedAt: Date;
}

export interface PublicationWindow {
  /** Exclusive. */
  from: Date;
  /** Inclusive. */
  to: Date;
}

export interface DigestSelection<T extends CandidateArticle> {
  /** Best first. */
  articles: T[];
  /** Eligible articles left out by the limit ("and N more"). */
  more: number;
}

export interface SubscriberQuery {
  /** Normalised tags. */
  subscriberTags: readonly string[];
  /** Ids already sent to this subscriber, in a digest or an alert. */
  alreadySent: ReadonlySet<string>;
  window: PublicationWindow;
  limit?: number;
}

export interface SelectionInput<T extends CandidateArticle> extends SubscriberQuery {
  candidates: readonly T[];
}

export const DEFAULT_DIGEST_LIMIT = 10;

/*
 * CONTRACT.md, Emails → Digest: an article goes in a subscriber's digest when it shares
 * at least one tag with them, was published in the window, and was never sent to them
 * before. Best first: most shared tags, then newest, then id so equal articles always
 * come in the same order. An id that appears twice among the candidates counts once
 * (its first appearance).
 */
export function selectDigestArticles<T extends CandidateArticle>(input: SelectionInput<T>): DigestSelection<T> {
  const limit = checkedLimit(input.limit);
  const wanted = new Set(input.subscriberTags);
  const from = input.window.from.getTime();
  const to = input.window.to.getTime();
  const eligible: Ranked<T>[] = [];
  for (const article of firstOfEachId(input.candidates)) {
    const time = article.publishedAt.getTime();
    if (!(time > from && time <= to) || input.alreadySent.has(article.id)) continue;
    const matches = countShared(article.tags, wanted);
    if (matches > 0) eligible.push({ article, matches, time });
  }
  return rankAndCut(eligible, limit);
}

/**
 * The candidates of one digest run, arranged for selectDigestArticlesIndexed: articles
 * in rank order (newest first, then id) and, per tag, the positions of its articles,
 * so each subscriber costs only the articles of their own tags.
 */
export interface TagIndex<T extends CandidateArticle> {
  /** Newest first, then by id; articles with an invalid date are left out. */
  readonly articles: readonly T[];
  readonly times: Float64Array;
  /** Per tag: ascending positions in `articles`, i.e. newest first. */
  readonly byTag: ReadonlyMap<string, Int32Array>;
  /** Scratch space, one slot per article: counts are all zero between calls. */
  readonly counts: Uint16Array;
  readonly touched: Int32Array;
  readonly keys: Float64Array;
}

/** Rank keys pack (matches, position) in one double: matches × 2^32 + (2^32 − 1 − position). */
const POSITION_SPACE = 2 ** 32;

export function buildTagIndex<T extends CandidateArticle>(candidates: readonly T[]): TagIndex<T> {
  // An invalid date is in no window: leaving it out keeps the window search sound.
  const articles = firstOfEachId(candidates)
    .filter((article) => !Number.isNaN(article.publishedAt.getTime()))
    .sort((a, b) => b.publishedAt.getTime() - a.publishedAt.getTime() || compareIds(a.id, b.id));
  const times = Float64Array.from(articles, (article) => article.publishedAt.getTime());
  const lists = new Map<string, number[]>();
  articles.forEach((article, position) => {
    for (const tag of new Set(article.tags)) {
      const list = lists.get(tag);
      if (list) list.push(position);
      else lists.set(tag, [position]);
    }
  });
  const byTag = new Map<string, Int32Array>();
  for (const [tag, positions] of lists) byTag.set(tag, Int32Array.from(positions));
  const size = articles.length;
  return { articles, times, byTag, counts: new Uint16Array(size), touched: new Int32Array(size), keys: new Float64Array(size) };
}

/**
 * Same answer as selectDigestArticles over the indexed candidates; built for a digest
 * run that matches every subscriber against the same few hundred articles.
 */
export function selectDigestArticlesIndexed<T extends CandidateArticle>(
  index: TagIndex<T>,
  query: SubscriberQuery,
): DigestSelection<T> {
  const limit = checkedLimit(query.limit);
  const from = query.window.from.getTime();
  const to = query.window.to.getTime();
  const { counts, times, articles, touched, keys } = index;
  const tags = query.subscriberTags;
  let touchedCount = 0;
  for (let t = 0; t < tags.length; t++) {
    const positions = tags.indexOf(tags[t]) === t ? index.byTag.get(tags[t]) : undefined;
    if (!positions) continue;
    // Newest first: skip what is after the window, stop at what is before it.
    for (let i = firstAtOrBefore(positions, times, to); i < positions.length; i++) {
      const position = positions[i];
      if (times[position] <= from) break;
      if (counts[position] === 0) touched[touchedCount++] = position;
      counts[position]++;
    }
  }
  let eligible = 0;
  for (let i = 0; i < touchedCount; i++) {
    const position = touched[i];
    if (!query.alreadySent.has(articles[position].id)) {
      keys[eligible++] = counts[position] * POSITION_SPACE + (POSITION_SPACE - 1 - position);
    }
    counts[position] = 0;
  }
  const ranked = keys.subarray(0, eligible).sort();
  const kept: T[] = [];
  for (let i = eligible - 1; i >= 0 && kept.length < limit; i--) {
    kept.push(articles[POSITION_SPACE - 1 - (ranked[i] % POSITION_SPACE)]);
  }
  return { articles: kept, more: eligible - kept.length };
}

interface Ranked<T> {
  article: T;
  matches: number;
  time: number;
}

function rankAndCut<T extends CandidateArticle>(eligible: Ranked<T>[], limit: number): DigestSelection<T> {
  eligible.sort(byRank);
  const kept = eligible.slice(0, limit).map((ranked) => ranked.article);
  return { articles: kept, more: eligible.length - kept.length };
}

function byRank<T extends CandidateArticle>(a: Ranked<T>, b: Ranked<T>): number {
  return b.matches - a.matches || b.time - a.time || compareIds(a.article.id, b.article.id);
}

/** Code-unit order, not locale order: the same on every machine. */
export function compareIds(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function firstOfEachId<T extends CandidateArticle>(candidates: readonly T[]): T[] {
  const seen = new Set<string>();
  const unique: T[] = [];
  for (const article of candidates) {
    if (seen.has(article.id)) continue;
    seen.add(article.id);
    unique.push(article);
  }
  return unique;
}

function countShared(tags: readonly string[], wanted: ReadonlySet<string>): number {
  let matches = 0;
  for (const tag of new Set(tags)) if (wanted.has(tag)) matches++;
  return matches;
}

/** First index whose article is published at or before `to` (positions are newest first). */
function firstAtOrBefore(positions: Int32Array, times: Float64Array, to: number): number {
  let low = 0;
  let high = positions.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (times[positions[mid]] > to) low = mid + 1;
    else high = mid;
  }
  return low;
}

function checkedLimit(limit: number | undefined): number {
  const value = limit ?? DEFAULT_DIGEST_LIMIT;
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`limit must be a whole number, got ${value}`);
  return value;
}
