import { isStale, latestVersions } from './article-versions';

const at = (iso: string) => new Date(iso);

describe(isStale.name, () => {
  const sut = isStale;

  it('is stale only when both have a revision time and the incoming one is older', () => {
    expect(sut({ id: 'a', updatedAt: at('2026-11-23T09:00:00Z') }, at('2026-11-23T10:00:00Z'))).toBe(true);
    expect(sut({ id: 'a', updatedAt: at('2026-11-23T10:00:00Z') }, at('2026-11-23T10:00:00Z'))).toBe(false);
    expect(sut({ id: 'a', updatedAt: at('2026-11-23T11:00:00Z') }, at('2026-11-23T10:00:00Z'))).toBe(false);
    expect(sut({ id: 'a' }, at('2026-11-23T10:00:00Z'))).toBe(false);
    expect(sut({ id: 'a', updatedAt: at('2026-11-23T09:00:00Z') }, null)).toBe(false);
  });
});

describe(latestVersions.name, () => {
  const sut = latestVersions;

  it('keeps the last event of each article, in arrival order', () => {
    const events = [
      { id: 'a', n: 1 },
      { id: 'b', n: 2 },
      { id: 'a', n: 3 },
    ];
    const result = sut(events);
    expect(result.latest.map((v) => v.event.n)).toEqual([3, 2]);
    expect(result.stale).toEqual([]);
  });

  it('sets aside an event older than a revision seen earlier in the run, and keeps the latest revision', () => {
    const newer = { id: 'a', updatedAt: at('2026-11-23T10:00:00Z'), n: 1 };
    const older = { id: 'a', updatedAt: at('2026-11-23T09:00:00Z'), n: 2 };
    const undated = { id: 'a', n: 3 };
    const result = sut([newer, older, undated]);
    expect(result.stale).toEqual([older]);
    expect(result.latest).toEqual([{ event: undated, revisedAt: newer.updatedAt }]);
  });
});
