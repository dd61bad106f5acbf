/** What decides between two versions of one article: the CMS's revision time, when the event gives one. */
export interface ArticleVersion {
  id: string;
  updatedAt?: Date;
}

/**
 * CONTRACT.md: events of one article arrive in order, so a later event wins; only
 * one whose updatedAt is older than the latest revision seen is stale. An event
 * without updatedAt is never stale, and publishedAt plays no part (a correction
 * may move it either way).
 */
export function isStale(incoming: ArticleVersion, latestRevision: Date | null | undefined): boolean {
  return incoming.updatedAt !== undefined && latestRevision != null && incoming.updatedAt.getTime() < latestRevision.getTime();
}

export interface Versions<T extends ArticleVersion> {
  /** The version of each article to store, with the latest revision seen for it in the run. */
  latest: { event: T; revisedAt: Date | undefined }[];
  /** Events that lost to an earlier one in the same run. */
  stale: T[];
}

/** A run of events in the order they arrived, reduced to one version per article. */
export function latestVersions<T extends ArticleVersion>(events: readonly T[]): Versions<T> {
  const byId = new Map<string, { event: T; revisedAt: Date | undefined }>();
  const stale: T[] = [];
  for (const event of events) {
    const seen = byId.get(event.id);
    if (seen && isStale(event, seen.revisedAt)) {
      stale.push(event);
      continue;
    }
    byId.set(event.id, { event, revisedAt: latestOf(seen?.revisedAt, event.updatedAt) });
  }
  return { latest: [...byId.values()], stale };
}

function latestOf(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a.getTime() >= b.getTime() ? a : b;
}
