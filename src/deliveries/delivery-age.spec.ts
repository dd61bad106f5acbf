import { giveUpAt, MAX_AGE_MS } from './delivery-age';

const CREATED = new Date('2026-12-05T07:00:00Z');
const HOUR = 60 * 60_000;

describe(giveUpAt.name, () => {
  it('keeps a confirmation link for days, so a long relay outage loses no sign-up', () => {
    expect(giveUpAt({ kind: 'confirm', createdAt: CREATED, payload: {} })).toEqual(new Date(CREATED.getTime() + 72 * HOUR));
  });

  it('keeps an alert for hours only: after that it is no longer news', () => {
    expect(giveUpAt({ kind: 'alert', createdAt: CREATED, payload: {} })).toEqual(new Date(CREATED.getTime() + 6 * HOUR));
  });

  it('keeps a minor alert for 12 hours: it may wait for its reader’s quiet hours to end', () => {
    expect(giveUpAt({ kind: 'alert', createdAt: CREATED, payload: {}, alertPriority: 'minor' })).toEqual(new Date(CREATED.getTime() + 12 * HOUR));
    expect(giveUpAt({ kind: 'alert', createdAt: CREATED, payload: {}, alertPriority: 'major' })).toEqual(new Date(CREATED.getTime() + 6 * HOUR));
  });

  it('keeps a daily digest until the next one is due, and a weekly one for a week', () => {
    expect(giveUpAt({ kind: 'digest', createdAt: CREATED, payload: { period: '2026-12-05' } })).toEqual(new Date(CREATED.getTime() + 24 * HOUR));
    expect(giveUpAt({ kind: 'digest', createdAt: CREATED, payload: { period: '2026-W49' } })).toEqual(new Date(CREATED.getTime() + 7 * 24 * HOUR));
  });

  it('has a limit for every kind', () => {
    expect(Object.keys(MAX_AGE_MS).sort()).toEqual(['alert', 'confirm', 'digest', 'manage', 'push']);
    expect(MAX_AGE_MS.push).toBe(HOUR);
  });
});
