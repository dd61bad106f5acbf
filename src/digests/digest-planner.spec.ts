import { ArticleCatalog, CatalogArticle } from './article-catalog';
import { CatalogGapError, DigestPlan, DigestPlanner, PlannedSubscriber, PlanningStats } from './digest-planner';
import { DigestTimetable } from './digest-timetable';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const AT = new Date('2026-11-24T07:00:00Z');

function aSubscriber(overrides: Partial<PlannedSubscriber> = {}): PlannedSubscriber {
  return {
    id: '11111111-1111-4111-8111-111111111111',
    tags: ['ainews'],
    frequency: 'daily',
    sendHour: 7,
    timezone: 'UTC',
    weekday: 1,
    suppressed: false,
    ...overrides,
  };
}

function anArticle(id: string, tags: string[], hoursBeforeAt: number): CatalogArticle {
  const publishedAt = new Date(AT.getTime() - hoursBeforeAt * HOUR);
  return { id, tags, publishedAt, createdAt: publishedAt };
}

function aCatalog(articles: CatalogArticle[], spanDays = 8): ArticleCatalog {
  return new ArticleCatalog({ from: new Date(AT.getTime() - spanDays * DAY), to: AT }, articles);
}

function planFor(subscriber: PlannedSubscriber, catalog: ArticleCatalog, alreadySent: string[] = [], at = AT): DigestPlan {
  return new DigestPlanner().plan(subscriber, at, { timetable: new DigestTimetable(at), catalog, alreadySent: new Set(alreadySent) });
}

function digestOf(plan: DigestPlan) {
  if (plan.outcome !== 'digest') throw new Error(`expected a digest, got ${plan.outcome}`);
  return { articles: plan.articles.map((a) => a.id), related: plan.related.map((a) => a.id), more: plan.more };
}

describe(DigestPlanner.name, () => {
  const sut = new DigestPlanner();

  it("picks the reader's articles of the last 24 hours, most shared tags first, then newest", () => {
    const catalog = aCatalog([
      anArticle('one-tag-new', ['ainews'], 1),
      anArticle('two-tags-old', ['ainews', 'microsoft'], 20),
      anArticle('other-topic', ['sport'], 2),
      anArticle('too-old', ['ainews'], 25),
      anArticle('one-tag-older', ['microsoft'], 3),
    ]);

    const plan = planFor(aSubscriber({ tags: ['ainews', 'microsoft'] }), catalog);

    expect(digestOf(plan).articles).toEqual(['two-tags-old', 'one-tag-new', 'one-tag-older']);
    expect(plan).toMatchObject({ period: '2026-11-24', slot: AT, next: new Date('2026-11-25T07:00:00Z') });
  });

  it('never repeats an article the reader already got', () => {
    const catalog = aCatalog([anArticle('sent-before', ['ainews'], 1), anArticle('fresh', ['ainews'], 2)]);

    expect(digestOf(planFor(aSubscriber(), catalog, ['sent-before'])).articles).toEqual(['fresh']);
  });

  it('keeps ten articles and counts the rest as "more"', () => {
    const catalog = aCatalog(Array.from({ length: 13 }, (_, i) => anArticle(`story-${String(i).padStart(2, '0')}`, ['ainews'], i + 1)));

    const digest = digestOf(planFor(aSubscriber(), catalog));

    expect(digest.articles).toHaveLength(10);
    expect(digest.articles[0]).toBe('story-00');
    expect(digest.more).toBe(3);
  });

  it('decides "nothing new" when every match was sent already or there is none', () => {
    const catalog = aCatalog([anArticle('sent-before', ['ainews'], 1), anArticle('other', ['sport'], 1)]);

    const plan = planFor(aSubscriber(), catalog, ['sent-before']);

    expect(plan.outcome).toBe('nothing-new');
    expect(plan.next).toEqual(new Date('2026-11-25T07:00:00Z'));
  });

  it('decides nothing for a suppressed address, without matching', () => {
    const plan = planFor(aSubscriber({ suppressed: true }), aCatalog([anArticle('a', ['ainews'], 1)]));

    expect(plan.outcome).toBe('suppressed');
  });

  it('adds related stories that share tags with the digest, rare tags first, leaving out the digest and what was sent', () => {
    const catalog = aCatalog([
      anArticle('digest-item', ['ainews', 'maia200'], 1),
      anArticle('shares-rare-tag', ['maia200', 'hardware'], 30),
      anArticle('shares-common-tag', ['ainews'], 20),
      ...[1, 2, 3].map((n) => anArticle(`sent-before-${n}`, ['ainews'], 40 + n)),
      anArticle('unrelated', ['sport'], 30),
      anArticle('older-than-a-week', ['maia200'], 8 * 24),
    ]);

    const digest = digestOf(planFor(aSubscriber({ tags: ['maia200'] }), catalog, ['sent-before-1', 'sent-before-2', 'sent-before-3']));

    expect(digest.articles).toEqual(['digest-item']);
    expect(digest.related).toEqual(['shares-rare-tag', 'shares-common-tag']);
  });

  it('gives a weekly reader the 7 days before their weekday slot', () => {
    // 2026-11-23 is a Monday; at 07:00 Paris (06:00Z) the weekly slot is due.
    const at = new Date('2026-11-23T06:00:00Z');
    const hoursBefore = (h: number) => new Date(at.getTime() - h * HOUR);
    const article = (id: string, h: number): CatalogArticle => ({ id, tags: ['ainews'], publishedAt: hoursBefore(h), createdAt: hoursBefore(h) });
    const catalog = new ArticleCatalog({ from: new Date(at.getTime() - 15 * DAY), to: at }, [
      article('six-days-ago', 6 * 24),
      article('eight-days-ago', 8 * 24),
    ]);
    const subscriber = aSubscriber({ frequency: 'weekly', weekday: 1, timezone: 'Europe/Paris' });

    const plan = planFor(subscriber, catalog, [], at);

    expect(digestOf(plan).articles).toEqual(['six-days-ago']);
    expect(plan).toMatchObject({ period: '2026-W48', next: new Date('2026-11-30T06:00:00Z') });
  });

  it('catches up a missed slot with the digest of that slot, not of the run instant', () => {
    const late = new Date(AT.getTime() + 3 * HOUR);
    const catalog = new ArticleCatalog({ from: new Date(late.getTime() - 8 * DAY), to: late }, [
      anArticle('before-slot', ['ainews'], 1),
      anArticle('after-slot', ['ainews'], -1),
    ]);

    const plan = planFor(aSubscriber(), catalog, [], late);

    expect(plan).toMatchObject({ slot: AT, period: '2026-11-24', next: new Date('2026-11-25T07:00:00Z') });
    expect(digestOf(plan).articles).toEqual(['before-slot']);
  });

  it('refuses a catalog that does not cover the digest, rather than silently missing articles', () => {
    const narrow = aCatalog([anArticle('a', ['ainews'], 1)], 1);

    expect(() => planFor(aSubscriber(), narrow)).toThrow(CatalogGapError);
  });

  it('decides the same way every time for the same instant', () => {
    const catalog = aCatalog(Array.from({ length: 40 }, (_, i) => anArticle(`s${i}`, i % 3 ? ['ainews', `t${i % 5}`] : [`t${i % 5}`], (i % 24) + 0.5)));
    const subscriber = aSubscriber({ tags: ['ainews', 't1', 't2'] });

    expect(planFor(subscriber, catalog)).toEqual(planFor(subscriber, catalog));
  });

  it('adds the time spent matching and ranking related stories to the stats it is given', () => {
    const stats: PlanningStats = { matchingMs: 0, relatedMs: 0 };
    const catalog = aCatalog([anArticle('a', ['ainews'], 1), anArticle('b', ['ainews'], 30)]);

    sut.plan(aSubscriber(), AT, { timetable: new DigestTimetable(AT), catalog, alreadySent: new Set(), stats });

    expect(stats.matchingMs).toBeGreaterThan(0);
    expect(stats.relatedMs).toBeGreaterThan(0);
  });

  it('throws RangeError for a schedule that is not one, and for a timetable of another instant', () => {
    const catalog = aCatalog([]);

    expect(() => planFor(aSubscriber({ timezone: 'Mars/Olympus_Mons' }), catalog)).toThrow(RangeError);
    expect(() => sut.plan(aSubscriber(), AT, { timetable: new DigestTimetable(new Date(0)), catalog, alreadySent: new Set() })).toThrow(RangeError);
  });

  describe('coverageFor', () => {
    it('spans the digest window and the week of related stories before the slot', () => {
      const span = sut.coverageFor(aSubscriber(), AT, new DigestTimetable(AT));

      expect(span).toEqual({ from: new Date(AT.getTime() - 7 * DAY), to: AT });
    });

    it('reaches further back for a weekly reader catching up', () => {
      const at = new Date('2026-11-29T07:00:00Z'); // Sunday; the Monday slot was six days ago
      const span = sut.coverageFor(aSubscriber({ frequency: 'weekly', weekday: 1 }), at, new DigestTimetable(at));

      expect(span).toEqual({ from: new Date('2026-11-16T07:00:00Z'), to: new Date('2026-11-23T07:00:00Z') });
    });
  });
});

describe(DigestTimetable.name, () => {
  it('works out each distinct schedule once, in the reader’s own zone', () => {
    const at = new Date('2026-11-24T01:30:00Z');
    const sut = new DigestTimetable(at);
    const kolkata = aSubscriber({ timezone: 'Asia/Kolkata' });

    const timing = sut.timingFor(kolkata);

    expect(timing).toEqual({
      slot: at,
      period: '2026-11-24',
      window: { from: new Date('2026-11-23T01:30:00Z'), to: at },
      next: new Date('2026-11-25T01:30:00Z'),
    });
    expect(sut.timingFor({ ...kolkata })).toBe(timing);
    expect(sut.timingFor(aSubscriber({ timezone: 'UTC' }))).not.toBe(timing);
  });
});
