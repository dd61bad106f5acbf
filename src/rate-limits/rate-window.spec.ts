import { retryAfterSeconds } from './rate-window';

describe(retryAfterSeconds.name, () => {
  it('counts whole seconds to the end of the window, never less than one', () => {
    const end = new Date('2026-12-05T10:10:00Z');
    expect(retryAfterSeconds(end, new Date('2026-12-05T10:00:00Z'))).toBe(600);
    expect(retryAfterSeconds(end, new Date('2026-12-05T10:09:59.500Z'))).toBe(1);
    expect(retryAfterSeconds(end, new Date('2026-12-05T10:10:00Z'))).toBe(1);
  });
});
