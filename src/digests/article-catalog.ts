import { buildTagIndex, CandidateArticle, PublicationWindow, TagIndex } from './matching';

/** An article as a digest run sees it: matching fields plus when the row was stored. */
export interface CatalogArticle extends CandidateArticle {
  /** Database time the article was first stored. */
  createdAt: Date;
}

export interface TagCounts {
  /** Articles carrying each tag. */
  frequency: ReadonlyMap<string, number>;
  /** Articles counted. */
  articles: number;
}

/**
 * Every article published in one span of time, loaded once per digest run and
 * indexed by tag, so matching a subscriber touches only the articles of their tags.
 */
export class ArticleCatalog {
  readonly index: TagIndex<CatalogArticle>;
  private readonly tagCounts = new Map<string, TagCounts>();
  /**
   * No email created before this can carry one of these articles (an email is decided
   * after its articles exist), which bounds the no-repeat lookup. Null when empty.
   */
  readonly storedSince: Date | null;

  constructor(
    /** `from` exclusive, `to` inclusive, like every publication window. */
    readonly span: PublicationWindow,
    articles: readonly CatalogArticle[],
  ) {
    const from = span.from.getTime();
    const to = span.to.getTime();
    this.index = buildTagIndex(
      articles.filter((article) => {
        const time = article.publishedAt.getTime();
        return time > from && time <= to;
      }),
    );
    let oldest = Number.POSITIVE_INFINITY;
    for (const article of this.index.articles) oldest = Math.min(oldest, article.createdAt.getTime());
    this.storedSince = Number.isFinite(oldest) ? new Date(oldest) : null;
  }

  get size(): number {
    return this.index.articles.length;
  }

  /** True when every article published in the window is in the catalog. */
  covers(window: PublicationWindow): boolean {
    return window.from.getTime() >= this.span.from.getTime() && window.to.getTime() <= this.span.to.getTime();
  }

  /** How many articles in the window carry each tag (memoised: a run asks for few distinct windows). */
  tagCountsIn(window: PublicationWindow): TagCounts {
    const key = `${window.from.getTime()}|${window.to.getTime()}`;
    let counts = this.tagCounts.get(key);
    if (!counts) {
      const from = window.from.getTime();
      const to = window.to.getTime();
      const frequency = new Map<string, number>();
      let articles = 0;
      this.index.articles.forEach((article, position) => {
        const time = this.index.times[position];
        if (!(time > from && time <= to)) return;
        articles++;
        for (const tag of new Set(article.tags)) frequency.set(tag, (frequency.get(tag) ?? 0) + 1);
      });
      counts = { frequency, articles };
      this.tagCounts.set(key, counts);
    }
    return counts;
  }

  /** The articles in the window carrying at least one of `tags`, each once, newest first (ties by position). */
  withAnyTag(tags: Iterable<string>, window: PublicationWindow): CatalogArticle[] {
    const from = window.from.getTime();
    const to = window.to.getTime();
    const { byTag, times, articles } = this.index;
    const seen = new Set<number>();
    for (const tag of tags) {
      const positions = byTag.get(tag);
      if (!positions) continue;
      for (const position of positions) {
        const time = times[position];
        if (time <= from) break;
        if (time <= to) seen.add(position);
      }
    }
    return [...seen].sort((a, b) => times[b] - times[a] || a - b).map((position) => articles[position]);
  }
}
