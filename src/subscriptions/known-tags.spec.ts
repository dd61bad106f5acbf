import { ArticlesRepository, TagUse } from '../articles/articles.repository';
import { KNOWN_TAGS_TTL_MS, KnownTags } from './known-tags';

describe(KnownTags.name, () => {
  const tags: TagUse[] = [{ tag: 'ainews', articles: 3 }];
  let tagUse: jest.Mock<Promise<TagUse[]>, []>;
  let sut: KnownTags;

  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-11-23T09:00:00Z') });
    tagUse = jest.fn(async () => tags);
    sut = new KnownTags({ tagUse } as unknown as ArticlesRepository);
  });

  afterEach(() => jest.useRealTimers());

  it('counts once for concurrent and repeated callers within the TTL', async () => {
    await Promise.all([sut.list(), sut.list()]);
    jest.advanceTimersByTime(KNOWN_TAGS_TTL_MS - 1);
    expect(await sut.list()).toBe(tags);
    expect(tagUse).toHaveBeenCalledTimes(1);
  });

  it('counts again once the TTL has passed', async () => {
    await sut.list();
    jest.advanceTimersByTime(KNOWN_TAGS_TTL_MS);
    await sut.list();
    expect(tagUse).toHaveBeenCalledTimes(2);
  });

  it('does not keep a failure', async () => {
    tagUse.mockRejectedValueOnce(new Error('database down'));
    await expect(sut.list()).rejects.toThrow('database down');
    expect(await sut.list()).toBe(tags);
  });
});
