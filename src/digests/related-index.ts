import { CandidateArticle, TagIndex } from './matching';
import { RELATED_HALF_LIFE_MS, RELATED_LOOKBACK_MS } from './related';

/**
 * selectRelatedStories for a whole digest run. Everything that does not depend on
 * the subscriber — which articles are recent, each tag's weight, each article's
 * age factor — is computed once per digest instant; a subscriber then costs a walk
 * over the articles of their digest's tags and a top-k, with the same arithmetic
 * (so the same floating-point scores, so the same order) as selectRelatedStories.
 */
export interface RelatedIndex<T extends CandidateArticle> {
  readonly tags: TagIndex<T>;
  readonly at: number;
  readonly from: number;
  /** Each tag of the index as a small integer, and its idf. */
  readonly tagIds: ReadonlyMap<string, number>;
  readonly tagIdf: Float64Array;
  /** Per position: the article's distinct tags in their order (as tag ids), and each one's idf, ln((N + 1) / (df + 1)) + 1. */
  readonly articleTags: readonly Int32Array[];
  readonly articleIdf: readonly Float64Array[];
  /** Per position: 0.5^(age / half-life). */
  readonly decay: Float64Array;
  /**
   * Per position: the score the article would have if the digest shared all its tags.
   * Floating-point sums and products of positive numbers are monotonic, so no digest
   * can give it more: once the top-k's last score beats this, the article is skipped.
   */
  readonly bound: Float64Array;
  /** Scratch: the call stamp that last visited a position, and that last wanted a tag. */
  readonly visited: Uint32Array;
  readonly wanted: Uint32Array;
  stamp: number;
}

export interface RelatedIndexOptions {
  /** Articles carrying each tag, over the corpus the weights are for; default: the recent articles of the index. */
  tagFrequency?: ReadonlyMap<string, number>;
  articleCount?: number;
  lookbackMs?: number;
  halfLifeMs?: number;
}

export function buildRelatedIndex<T extends CandidateArticle>(tags: TagIndex<T>, at: Date, options: RelatedIndexOptions = {}): RelatedIndex<T> {
  const instant = at.getTime();
  const from = instant - (options.lookbackMs ?? RELATED_LOOKBACK_MS);
  const halfLife = options.halfLifeMs ?? RELATED_HALF_LIFE_MS;
  const recent = (position: number) => tags.times[position] > from && tags.times[position] <= instant;

  let frequency = options.tagFrequency;
  let total = options.articleCount;
  if (!frequency) {
    const counted = new Map<string, number>();
    tags.articles.forEach((article, position) => {
      if (!recent(position)) return;
      for (const tag of new Set(article.tags)) counted.set(tag, (counted.get(tag) ?? 0) + 1);
    });
    frequency = counted;
  }
  total ??= tags.articles.filter((_, position) => recent(position)).length;

  const tagIds = new Map([...tags.byTag.keys()].map((tag, id) => [tag, id]));
  const idf = (tag: string) => {
    const df = Math.max(0, frequency.get(tag) ?? 0);
    const n = Math.max(total, df);
    return Math.log((n + 1) / (df + 1)) + 1;
  };
  const articleTags = tags.articles.map((article) => [...new Set(article.tags)]);
  const articleIdf = articleTags.map((list) => Float64Array.from(list, idf));
  const decay = Float64Array.from(tags.times, (time) => 0.5 ** ((instant - time) / halfLife));
  return {
    tags,
    at: instant,
    from,
    tagIds,
    tagIdf: Float64Array.from(tagIds.keys(), idf),
    articleTags: articleTags.map((list) => Int32Array.from(list, (tag) => tagIds.get(tag) ?? -1)),
    articleIdf,
    decay,
    bound: Float64Array.from(articleIdf, (weights, position) => weights.reduce((sum, weight) => sum + weight, 0) * decay[position]),
    visited: new Uint32Array(tags.articles.length),
    wanted: new Uint32Array(tagIds.size),
    stamp: 0,
  };
}

export interface RelatedQuery {
  digestArticles: readonly CandidateArticle[];
  /** Ids that must not appear; the digest's own articles never do. */
  exclude: ReadonlySet<string>;
  limit: number;
}

/** Same answer as selectRelatedStories({ pool: every article of the index, at, … }) with the index's options. */
export function selectRelatedStoriesIndexed<T extends CandidateArticle>(index: RelatedIndex<T>, query: RelatedQuery): T[] {
  const { limit } = query;
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`limit must be a whole number, got ${limit}`);
  const wantedTags = new Set<string>();
  for (const article of query.digestArticles) for (const tag of article.tags) wantedTags.add(tag);
  if (limit === 0 || wantedTags.size === 0) return [];
  const own = new Set(query.digestArticles.map((article) => article.id));
  const { tags, decay, bound, articleTags, articleIdf, visited, wanted } = index;
  const { times, order } = tags;
  const stamp = nextStamp(index);
  for (const tag of wantedTags) {
    const id = index.tagIds.get(tag);
    if (id !== undefined) wanted[id] = stamp;
  }
  const best: { position: number; score: number }[] = [];

  // Rare tags first: their articles score highest, so the top-k fills with strong
  // candidates early and the bounds below skip most of the common tags' long lists.
  const lists = [...wantedTags]
    .flatMap((tag) => {
      const id = index.tagIds.get(tag);
      return id === undefined ? [] : [{ positions: tags.byTag.get(tag) as Int32Array, idf: index.tagIdf[id] }];
    })
    .sort((a, b) => a.positions.length - b.positions.length);
  // An article first met in list i carries no wanted tag of an earlier list (it would
  // have been met there, or cut there by a bound at least as high), so its weight is at
  // most the idf sum of lists i…end. Scaled up far beyond any rounding difference
  // between that sum and the article's own, so the bound never cuts a contender.
  const rest = new Float64Array(lists.length + 1);
  for (let i = lists.length - 1; i >= 0; i--) rest[i] = rest[i + 1] + lists[i].idf;
  for (let l = 0; l < lists.length; l++) {
    const { positions } = lists[l];
    const ceiling = rest[l] * (1 + 1e-9);
    for (let i = 0; i < positions.length; i++) {
      const position = positions[i];
      const time = times[position];
      if (time <= index.from) break;
      if (time > index.at) continue;
      // Newest first, so every later article of the list decays more: none can make it.
      if (best.length === limit && ceiling * decay[position] < best[limit - 1].score) break;
      if (visited[position] === stamp) continue;
      visited[position] = stamp;
      if (best.length === limit && bound[position] < best[limit - 1].score) continue;
      // Summed in the article's own tag order, exactly as selectRelatedStories does.
      const ids = articleTags[position];
      const weights = articleIdf[position];
      let weight = 0;
      for (let t = 0; t < ids.length; t++) if (wanted[ids[t]] === stamp) weight += weights[t];
      if (weight === 0) continue;
      const score = weight * decay[position];
      if (best.length === limit && !ranksBefore(score, order[position], best[limit - 1], order)) continue;
      const id = tags.articles[position].id;
      if (own.has(id) || query.exclude.has(id)) continue;
      insert(best, { position, score }, limit, order);
    }
  }
  return best.map((entry) => tags.articles[entry.position]);
}

function nextStamp<T extends CandidateArticle>(index: RelatedIndex<T>): number {
  index.stamp = (index.stamp + 1) >>> 0;
  if (index.stamp === 0) {
    index.visited.fill(0);
    index.wanted.fill(0);
    index.stamp = 1;
  }
  return index.stamp;
}

/** Higher score first; equal scores by the tag index's newest-then-id order. */
function ranksBefore(score: number, place: number, other: { position: number; score: number }, order: Int32Array): boolean {
  return score > other.score || (score === other.score && place < order[other.position]);
}

function insert(best: { position: number; score: number }[], entry: { position: number; score: number }, limit: number, order: Int32Array): void {
  let at = best.length < limit ? best.length : limit - 1;
  while (at > 0 && ranksBefore(entry.score, order[entry.position], best[at - 1], order)) {
    best[at] = best[at - 1];
    at--;
  }
  best[at] = entry;
}
