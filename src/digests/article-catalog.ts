import { buildTagIndex, CandidateArticle, PublicationWindow, TagIndex } from './matching';
import { buildRelatedIndex, RelatedIndex } from './related-index';

/** An article as a digest run sees it: matching fields plus when the row was stored. */
export interface CatalogArticle extends CandidateArticle {
  /** Database time the article was first stored. */
  createdAt: Date;
}

/**
 * Every article published in one span of time, loaded once per digest run and
 * indexed by tag, so matching a subscriber touches only the articles of their tags.
 */
export class ArticleCatalog {
  readonly index: TagIndex<CatalogArticle>;
  private readonly relatedIndexes = new Map<number, RelatedIndex<CatalogArticle>>();
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

  /** The related-stories index of a digest instant (memoised: a run has few distinct slots). */
  relatedIndexFor(slot: Date): RelatedIndex<CatalogArticle> {
    let index = this.relatedIndexes.get(slot.getTime());
    if (!index) {
      index = buildRelatedIndex(this.index, slot);
      this.relatedIndexes.set(slot.getTime(), index);
    }
    return index;
  }
}
