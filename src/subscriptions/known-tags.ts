import { Injectable } from '@nestjs/common';
import { ArticlesRepository, TagUse } from '../articles/articles.repository';

/** Counting tags scans every article: fine once in a while, not on every page view. */
export const KNOWN_TAGS_TTL_MS = 30_000;

/**
 * The tags pages offer, counted at most once per TTL however many readers open the
 * subscribe page at once (concurrent callers share one query). A new tag shows up on
 * the pages within the TTL; nothing depends on it sooner.
 */
@Injectable()
export class KnownTags {
  private cached?: { at: number; tags: Promise<TagUse[]> };

  constructor(private readonly articles: ArticlesRepository) {}

  list(): Promise<TagUse[]> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at >= KNOWN_TAGS_TTL_MS) {
      const tags = this.articles.tagUse();
      this.cached = { at: now, tags };
      // A failed count is not kept: the next caller tries again.
      tags.catch(() => {
        if (this.cached?.tags === tags) this.cached = undefined;
      });
    }
    return this.cached.tags;
  }
}
