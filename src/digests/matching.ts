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
 * The candidates of one digest run, arranged for selectDigestArticlesIndexed: per tag,
 * its articles newest first, so each subscriber costs only the articles of their own
 * tags, not the whole candidate list.
 */
export interface TagIndex<T extends CandidateArticle> {
  readonly articles: readonly T[];
  readonly times: Float64Array;
  /** Per tag: positions in `articles`, newest first. */
  readonly byTag: ReadonlyMap<string, Int32Array>;
  /** Per position: its place in the tie-break order (newest first, then id), 0 first. */
  readonly order: Int32Array;
  readonly positionOf: ReadonlyMap<string, number>;
  /** Scratch match counters, one per article; always all zero between calls. */
  readonly counts: Uint16Array;
  /** Scratch: positions touched by the current call, and already-sent marks; clean between calls. */
  readonly touched: Int32Array;
  readonly sent: Uint8Array;
}

export function buildTagIndex<T extends CandidateArticle>(candidates: readonly T[]): TagIndex<T> {
  const articles = firstOfEachId(candidates);
  const times = Float64Array.from(articles, (article) => article.publishedAt.getTime());
  const lists = new Map<string, number[]>();
  articles.forEach((article, position) => {
    // An invalid date is in no window; leaving it out keeps the binary search sound.
    if (Number.isNaN(times[position])) return;
    for (const tag of new Set(article.tags)) {
      const list = lists.get(tag);
      if (list) list.push(position);
      else lists.set(tag, [position]);
    }
  });
  const byTag = new Map<string, Int32Array>();
  for (const [tag, positions] of lists) {
    byTag.set(tag, Int32Array.from(positions.sort((a, b) => times[b] - times[a] || a - b)));
  }
  const ranked = articles.map((_, position) => position).sort((a, b) => times[b] - times[a] || compareIds(articles[a].id, articles[b].id));
  const order = new Int32Array(articles.length);
  ranked.forEach((position, place) => (order[position] = place));
  return {
    articles,
    times,
    byTag,
    order,
    positionOf: new Map(articles.map((article, position) => [article.id, position])),
    counts: new Uint16Array(articles.length),
    touched: new Int32Array(articles.length),
    sent: new Uint8Array(articles.length),
  };
}

/**
 * Same answer as selectDigestArticles over the indexed candidates, for many subscribers.
 * Allocation-free in the loop over articles: per subscriber it counts shared tags in
 * typed arrays, then keeps the best `limit` with one integer key per article (shared
 * tags, then the precomputed newest-then-id order) instead of sorting every match —
 * a Zipf-popular tag matches most of a day's articles for most subscribers.
 */
export function selectDigestArticlesIndexed<T extends CandidateArticle>(
  index: TagIndex<T>,
  query: SubscriberQuery,
): DigestSelection<T> {
  const limit = checkedLimit(query.limit);
  const from = query.window.from.getTime();
  const to = query.window.to.getTime();
  const { counts, times, touched, sent, order } = index;
  const tags = query.subscriberTags;
  let touchedCount = 0;
  for (let t = 0; t < tags.length; t++) {
    if (tags.indexOf(tags[t]) !== t) continue;
    const positions = index.byTag.get(tags[t]);
    if (!positions) continue;
    // Newest first: skip what is after the window, stop at what is before it.
    for (let i = firstAtOrBefore(positions, times, to); i < positions.length; i++) {
      const position = positions[i];
      if (times[position] <= from) break;
      if (counts[position] === 0) touched[touchedCount++] = position;
      counts[position]++;
    }
  }
  const marked = markSent(index, query.alreadySent, touchedCount);

  const size = index.articles.length;
  const best = new TopKeys(Math.min(limit, touchedCount));
  let eligible = 0;
  for (let i = 0; i < touchedCount; i++) {
    const position = touched[i];
    const matches = counts[position];
    counts[position] = 0;
    if (marked ? sent[position] === 1 : query.alreadySent.has(index.articles[position].id)) continue;
    eligible++;
    // More shared tags first; among equals, the earlier in the newest-then-id order.
    best.offer(matches * size + (size - order[position]), position);
  }
  if (marked) for (const id of query.alreadySent) unmark(index, id);
  const kept = best.positions().map((position) => index.articles[position]);
  return { articles: kept, more: eligible - kept.length };
}

/**
 * Marks the already-sent articles by position when that is cheaper than looking each
 * touched article up in the set; returns whether it did.
 */
function markSent<T extends CandidateArticle>(index: TagIndex<T>, alreadySent: ReadonlySet<string>, touchedCount: number): boolean {
  if (alreadySent.size === 0 || alreadySent.size >= touchedCount) return false;
  for (const id of alreadySent) {
    const position = index.positionOf.get(id);
    if (position !== undefined) index.sent[position] = 1;
  }
  return true;
}

function unmark<T extends CandidateArticle>(index: TagIndex<T>, id: string): void {
  const position = index.positionOf.get(id);
  if (position !== undefined) index.sent[position] = 0;
}

/** Above this many kept entries, collecting and sorting once beats insertion. */
const INSERTION_LIMIT = 64;

/** The `capacity` largest keys offered, best first; keys are distinct (one per position), so there are no ties. */
class TopKeys {
  private keys: number[] = [];
  private values: number[] = [];

  constructor(private readonly capacity: number) {}

  offer(key: number, value: number): void {
    const { keys, values, capacity } = this;
    if (capacity > INSERTION_LIMIT) {
      keys.push(key);
      values.push(value);
      return;
    }
    if (keys.length === capacity && (capacity === 0 || key <= keys[capacity - 1])) return;
    let at = keys.length === capacity ? capacity - 1 : keys.length;
    while (at > 0 && keys[at - 1] < key) {
      keys[at] = keys[at - 1];
      values[at] = values[at - 1];
      at--;
    }
    keys[at] = key;
    values[at] = value;
  }

  positions(): number[] {
    if (this.capacity <= INSERTION_LIMIT) return this.values;
    const entries = this.keys.map((key, i) => [key, this.values[i]] as const).sort((a, b) => b[0] - a[0]);
    return entries.slice(0, this.capacity).map(([, value]) => value);
  }
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
