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
 * The candidates of one digest run, arranged for selectDigestArticlesIndexed: every
 * article has a place in the ranking order (newest first, then id), and each tag a
 * bitset of the places of its articles. A window of time is a range of places, so a
 * subscriber costs a few word-wide ORs per tag, not a visit to every matching article.
 */
export interface TagIndex<T extends CandidateArticle> {
  readonly articles: readonly T[];
  readonly times: Float64Array;
  /** Per tag: positions in `articles`, newest first. */
  readonly byTag: ReadonlyMap<string, Int32Array>;
  /** Per position: its place in the tie-break order (newest first, then id), 0 first; articles without a valid date last. */
  readonly order: Int32Array;
  readonly positionOf: ReadonlyMap<string, number>;
  /** Per place: the position there, and its publication time (descending, NaN last). */
  readonly atPlace: Int32Array;
  readonly placeTimes: Float64Array;
  /** Per tag: bit p set when the article at place p carries the tag. */
  readonly bits: ReadonlyMap<string, Uint32Array>;
  /** Scratch, grown on demand: levels[k] has the places the current call matched with at least k + 1 tags. */
  readonly levels: Uint32Array[];
}

export function buildTagIndex<T extends CandidateArticle>(candidates: readonly T[]): TagIndex<T> {
  const articles = firstOfEachId(candidates);
  const times = Float64Array.from(articles, (article) => article.publishedAt.getTime());
  const lists = new Map<string, number[]>();
  articles.forEach((article, position) => {
    // An invalid date is in no window; leaving it out keeps the binary searches sound.
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
  const undated = (position: number) => (Number.isNaN(times[position]) ? 1 : 0);
  const atPlace = Int32Array.from(
    articles.map((_, position) => position).sort((a, b) => undated(a) - undated(b) || times[b] - times[a] || compareIds(articles[a].id, articles[b].id)),
  );
  const order = new Int32Array(articles.length);
  atPlace.forEach((position, place) => (order[position] = place));
  const words = Math.ceil(articles.length / 32);
  const bits = new Map<string, Uint32Array>();
  for (const [tag, positions] of byTag) {
    const set = new Uint32Array(words);
    for (const position of positions) set[order[position] >>> 5] |= 1 << (order[position] & 31);
    bits.set(tag, set);
  }
  return {
    articles,
    times,
    byTag,
    order,
    positionOf: new Map(articles.map((article, position) => [article.id, position])),
    atPlace,
    placeTimes: Float64Array.from(atPlace, (position) => times[position]),
    bits,
    levels: [],
  };
}

/**
 * Same answer as selectDigestArticles over the indexed candidates, for many subscribers.
 * The window is a range of places. Adding the subscriber's tag bitsets over it into
 * bit-sliced levels (matched by at least 1, 2, 3… tags) sorts every eligible article
 * by shared tags, and within a level bit order is ranking order: the best are the
 * first bits of the highest levels, with no per-article work and no sort.
 */
export function selectDigestArticlesIndexed<T extends CandidateArticle>(
  index: TagIndex<T>,
  query: SubscriberQuery,
): DigestSelection<T> {
  const limit = checkedLimit(query.limit);
  const first = firstPlaceAtOrBefore(index.placeTimes, query.window.to.getTime());
  const end = firstPlaceAtOrBefore(index.placeTimes, query.window.from.getTime());
  if (first >= end) return { articles: [], more: 0 };
  const low = first >>> 5;
  const high = (end - 1) >>> 5;
  const { levels } = index;
  let depth = 0;
  const tags = query.subscriberTags;
  for (let t = 0; t < tags.length; t++) {
    if (tags.indexOf(tags[t]) !== t) continue;
    const set = index.bits.get(tags[t]);
    if (!set) continue;
    if (depth === levels.length) levels.push(new Uint32Array(set.length));
    levels[depth].fill(0, low, high + 1);
    depth++;
    // An article gains a level for each tag it shares: carried up from the level below, highest first.
    for (let k = depth - 1; k > 0; k--) {
      const level = levels[k];
      const below = levels[k - 1];
      for (let w = low; w <= high; w++) level[w] |= below[w] & set[w];
    }
    const once = levels[0];
    for (let w = low; w <= high; w++) once[w] |= set[w];
  }
  if (depth === 0) return { articles: [], more: 0 };
  for (let k = 0; k < depth; k++) clearOutside(levels[k], first, end);
  for (const id of query.alreadySent) {
    const position = index.positionOf.get(id);
    if (position === undefined) continue;
    const place = index.order[position];
    for (let k = 0; k < depth; k++) levels[k][place >>> 5] &= ~(1 << (place & 31));
  }

  let eligible = 0;
  for (let w = low; w <= high; w++) eligible += bitCount(levels[0][w]);
  const places: number[] = [];
  for (let k = depth - 1; k >= 0 && places.length < limit; k--) {
    const level = levels[k];
    const above = k + 1 < depth ? levels[k + 1] : undefined;
    for (let w = low; w <= high && places.length < limit; w++) {
      for (let word = above ? level[w] & ~above[w] : level[w]; word !== 0 && places.length < limit; word &= word - 1) {
        places.push((w << 5) + lowestBit(word));
      }
    }
  }
  return { articles: places.map((place) => index.articles[index.atPlace[place]]), more: eligible - places.length };
}

/** First place whose article is published at or before `time` (places are newest first, undated last). */
function firstPlaceAtOrBefore(placeTimes: Float64Array, time: number): number {
  let low = 0;
  let high = placeTimes.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    // NaN (undated) compares false: it sorts as "at or before" everything, after every dated place.
    if (placeTimes[mid] > time) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Clears the bits below place `first` and from place `end` on, in the words that hold them. */
function clearOutside(set: Uint32Array, first: number, end: number): void {
  set[first >>> 5] &= ~0 << (first & 31);
  if ((end & 31) !== 0) set[(end - 1) >>> 5] &= (1 << (end & 31)) - 1;
}

function bitCount(word: number): number {
  let v = word - ((word >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

function lowestBit(word: number): number {
  return 31 - Math.clz32(word & -word);
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

function checkedLimit(limit: number | undefined): number {
  const value = limit ?? DEFAULT_DIGEST_LIMIT;
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`limit must be a whole number, got ${value}`);
  return value;
}
