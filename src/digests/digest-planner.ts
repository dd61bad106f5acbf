import { performance } from 'node:perf_hooks';
import { DIGEST_MAX_ARTICLES, DIGEST_MAX_RELATED } from '../mail/emails/digest-email';
import { ArticleCatalog, CatalogArticle } from './article-catalog';
import { DigestTimetable, DigestTiming } from './digest-timetable';
import { PublicationWindow, selectDigestArticlesIndexed } from './matching';
import { RELATED_LOOKBACK_MS } from './related';
import { selectRelatedStoriesIndexed } from './related-index';
import { DigestPrefs } from './schedule';

/** What planning needs of a reader. */
export interface PlannedSubscriber extends DigestPrefs {
  id: string;
  tags: readonly string[];
  /** A suppressed address gets nothing, but its period still counts as done. */
  suppressed: boolean;
}

export interface DigestPlanContext {
  /** The schedule arithmetic of the run's instant. */
  timetable: DigestTimetable;
  /** Must cover planner.coverageFor(subscriber, timetable); the run service makes sure it does. */
  catalog: ArticleCatalog;
  /** Ids of articles this subscriber already got, in a digest or an alert. */
  alreadySent: ReadonlySet<string>;
  /** When given, time spent selecting and ranking is added here. */
  stats?: PlanningStats;
}

export interface PlanningStats {
  matchingMs: number;
  relatedMs: number;
}

interface PlanBase extends DigestTiming {
  subscriberId: string;
}

/** The decision for one reader at one instant. Every outcome completes the period. */
export type DigestPlan =
  | (PlanBase & {
      outcome: 'digest';
      /** Best first, at most DIGEST_MAX_ARTICLES. */
      articles: CatalogArticle[];
      /** Matching articles left out by the limit. */
      more: number;
      related: CatalogArticle[];
    })
  | (PlanBase & { outcome: 'nothing-new' | 'suppressed' });

/** Thrown when the catalog handed in does not cover what the subscriber's digest needs: a caller bug. */
export class CatalogGapError extends Error {
  override readonly name = 'CatalogGapError';
}

/**
 * Decides what one reader's digest at one instant contains: the one "decide" step a
 * run and a preview share, pure and in memory, so the same instant always decides
 * the same way and a preview shows exactly what a run would send.
 */
export class DigestPlanner {
  plan(subscriber: PlannedSubscriber, at: Date, context: DigestPlanContext): DigestPlan {
    const timing = this.timingOf(subscriber, at, context.timetable);
    const base = { subscriberId: subscriber.id, ...timing };
    if (subscriber.suppressed) return { ...base, outcome: 'suppressed' };
    const { catalog, alreadySent, stats } = context;
    const related = relatedWindow(timing);
    if (!catalog.covers(timing.window) || !catalog.covers(related)) {
      throw new CatalogGapError(`the catalog does not cover the digest of period ${timing.period}`);
    }

    const matchingStarted = stats ? performance.now() : 0;
    const selection = selectDigestArticlesIndexed(catalog.index, {
      subscriberTags: subscriber.tags,
      alreadySent,
      window: timing.window,
      limit: DIGEST_MAX_ARTICLES,
    });
    const relatedStarted = stats ? performance.now() : 0;
    if (stats) stats.matchingMs += relatedStarted - matchingStarted;
    if (selection.articles.length === 0) return { ...base, outcome: 'nothing-new' };

    const stories = selectRelatedStoriesIndexed(catalog.relatedIndexFor(timing.slot), {
      digestArticles: selection.articles,
      exclude: alreadySent,
      limit: DIGEST_MAX_RELATED,
    });
    if (stats) stats.relatedMs += performance.now() - relatedStarted;
    return { ...base, outcome: 'digest', articles: selection.articles, more: selection.more, related: stories };
  }

  /** The publication span a catalog must hold for this subscriber's digest at `at`. Throws RangeError for invalid preferences. */
  coverageFor(subscriber: DigestPrefs, at: Date, timetable: DigestTimetable): PublicationWindow {
    const timing = this.timingOf(subscriber, at, timetable);
    const related = relatedWindow(timing);
    return {
      from: new Date(Math.min(timing.window.from.getTime(), related.from.getTime())),
      to: new Date(Math.max(timing.window.to.getTime(), related.to.getTime())),
    };
  }

  private timingOf(subscriber: DigestPrefs, at: Date, timetable: DigestTimetable): DigestTiming {
    if (timetable.at.getTime() !== at.getTime()) throw new RangeError('the timetable is for another instant');
    return timetable.timingFor(subscriber);
  }
}

/** Related stories come from the week before the digest's instant. */
function relatedWindow(timing: DigestTiming): PublicationWindow {
  return { from: new Date(timing.slot.getTime() - RELATED_LOOKBACK_MS), to: timing.slot };
}
