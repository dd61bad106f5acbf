import { Injectable } from '@nestjs/common';
import { RelatedArticlesService } from '../articles/related-articles.service';
import { Clock } from '../common/clock';

const RELATED_IN_ALERT = 3;

/** The few related stories under an alert's article. */
@Injectable()
export class RelatedToAlert {
  constructor(
    private readonly related: RelatedArticlesService,
    private readonly clock: Clock,
  ) {}

  async of(article: { id: string; tags: string[]; publishedAt: Date }): Promise<string[]> {
    // An article stamped ahead of our clock still finds the stories published around it.
    const now = this.clock.now();
    const at = article.publishedAt > now ? article.publishedAt : now;
    const related = await this.related.relatedTo([article], at, new Set([article.id]), RELATED_IN_ALERT);
    return related.map((a) => a.id);
  }

}
