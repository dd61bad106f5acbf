import { TokenHolder, tokenStillValid } from './token-rules';

const aHolder = (overrides: Partial<TokenHolder> = {}): TokenHolder => ({ tokenVersion: 3, status: 'confirmed', ...overrides });

describe(tokenStillValid.name, () => {
  const sut = tokenStillValid;

  it.each(['confirm', 'preferences'] as const)('accepts a %s token only at the current version', (purpose) => {
    expect(sut(purpose, 3, aHolder())).toBe(true);
    expect(sut(purpose, 2, aHolder())).toBe(false);
    expect(sut(purpose, 4, aHolder())).toBe(false);
    expect(sut(purpose, 2, aHolder({ status: 'unsubscribed' }))).toBe(false);
  });

  it('accepts an unsubscribe token at the current version', () => {
    expect(sut('unsubscribe', 3, aHolder())).toBe(true);
    expect(sut('unsubscribe', 3, aHolder({ status: 'pending' }))).toBe(true);
  });

  it('keeps answering an older unsubscribe token once the reader is unsubscribed, so a repeated one-click is not an error', () => {
    expect(sut('unsubscribe', 2, aHolder({ status: 'unsubscribed' }))).toBe(true);
  });

  it('refuses an older unsubscribe token for a reader who subscribed again since', () => {
    expect(sut('unsubscribe', 2, aHolder({ status: 'confirmed' }))).toBe(false);
    expect(sut('unsubscribe', 2, aHolder({ status: 'pending' }))).toBe(false);
  });
});
