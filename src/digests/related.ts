import { CandidateArticle, compareIds } from './matching';

export type { CandidateArticle } from './matching';

export const DEFAULT_RELATED_LIMIT = 5;
export const RELATED_LOOKBACK_MS = 7 * 24 * 60 * 60 * 1000;
/** A story three days old counts half as much as one published at the digest's instant. */
export const RELATED_HALF_LIFE_MS = 3 * 24 * 60 * 60 * 1000;

export interface RelatedInput<T extends CandidateArticle> {
  /** The articles the email is about; their tags are what "related" means. */
  digestArticles: readonly CandidateArticle[];
  /** Candidates; only those published in (at − lookback, at] are considered. */
  pool: readonly T[];
  /** Ids that must not appear (already in the email, already sent). Digest articles are always excluded. */
  exclude: ReadonlySet<string>;
  /** The email's instant: nothing published after it is ever included. */
  at: Date;
  limit?: number;
  /**
   * How many articles carry each tag, when the caller knows it for a wider corpus than
   * the pool; otherwise counted over the pool's recent articles.
   */
  tagFrequency?: ReadonlyMap<string, number>;
  /** Size of the corpus tagFrequency was counted over; defaults to the pool's recent articles. */
  articleCount?: number;
  lookbackMs?: number;
  halfLifeMs?: number;
}

/**
 * Related stories: recent articles sharing tags with the email's articles, best first.
 * score = Σ over shared tags of idf(tag) × 0.5^(age / half-life), with
 * idf = ln((N + 1) / (df + 1)) + 1, so one shared rare tag (maia200) outweighs a shared
 * common one (news), and fresher stories beat stale ones. Ties go to the newer story,
 * then the smaller id: the same input always gives the same list.
 */
export function selectRelatedStories<T extends CandidateArticle>(input: RelatedInput<T>): T[] {
  const limit = input.limit ?? DEFAULT_RELATED_LIMIT;
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`limit must be a whole number, got ${limit}`);
  const at = input.at.getTime();
  const lookback = input.lookbackMs ?? RELATED_LOOKBACK_MS;
  const halfLife = input.halfLifeMs ?? RELATED_HALF_LIFE_MS;

  const wanted = new Set(input.digestArticles.flatMap((article) => article.tags));
  if (limit === 0 || wanted.size === 0) return [];
  const excluded = new Set([...input.exclude, ...input.digestArticles.map((article) => article.id)]);

  const recent = recentArticles(input.pool, at - lookback, at);
  const idf = inverseDocumentFrequency(recent, input.tagFrequency, input.articleCount);

  const scored: { article: T; score: number; time: number }[] = [];
  for (const article of recent) {
    if (excluded.has(article.id)) continue;
    let weight = 0;
    for (const tag of new Set(article.tags)) if (wanted.has(tag)) weight += idf(tag);
    if (weight === 0) continue;
    const time = article.publishedAt.getTime();
    scored.push({ article, score: weight * 0.5 ** ((at - time) / halfLife), time });
  }
  scored.sort((a, b) => b.score - a.score || b.time - a.time || compareIds(a.article.id, b.article.id));
  return scored.slice(0, limit).map((entry) => entry.article);
}

/** Each id once (first seen), published in (from, to]. */
function recentArticles<T extends CandidateArticle>(pool: readonly T[], from: number, to: number): T[] {
  const seen = new Set<string>();
  const recent: T[] = [];
  for (const article of pool) {
    if (seen.has(article.id)) continue;
    seen.add(article.id);
    const time = article.publishedAt.getTime();
    if (time > from && time <= to) recent.push(article);
  }
  return recent;
}

function inverseDocumentFrequency(
  recent: readonly CandidateArticle[],
  tagFrequency: ReadonlyMap<string, number> | undefined,
  articleCount: number | undefined,
): (tag: string) => number {
  const frequency = tagFrequency ?? countTags(recent);
  const total = articleCount ?? recent.length;
  return (tag) => {
    const df = Math.max(0, frequency.get(tag) ?? 0);
    // A corpus can never be smaller than the number of articles carrying one tag.
    const n = Math.max(total, df);
    return Math.log((n + 1) / (df + 1)) + 1;
  };
}

function countTags(articles: readonly CandidateArticle[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const article of articles) {
    for (const tag of new Set(article.tags)) counts.set(tag, (counts.get(tag) ?? 0) + 1);
  }
  return counts;
}
