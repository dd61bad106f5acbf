import { pushOutcomeOf } from './push-transport';

describe(pushOutcomeOf.name, () => {
  const now = new Date('2026-12-05T07:00:00Z');

  it.each([200, 201, 202])('%i: sent', (code) => {
    expect(pushOutcomeOf(code, {}, now)).toEqual({ status: 'sent' });
  });

  it.each([404, 410])('%i: gone for good', (code) => {
    expect(pushOutcomeOf(code, {}, now)).toEqual({ status: 'gone', error: `push service answered ${code}` });
  });

  it.each([
    [429, { 'retry-after': '30' }, 30_000],
    [503, { 'retry-after': 'Sat, 05 Dec 2026 07:02:00 GMT' }, 120_000],
    [500, {}, null],
    [502, { 'retry-after': 'soon' }, null],
  ])('%i with %j: busy, retry after %s ms', (code, headers, retryAfterMs) => {
    expect(pushOutcomeOf(code, headers, now)).toEqual({ status: 'busy', error: `push service answered ${code}`, retryAfterMs });
  });

  it.each([400, 401, 403, 413])('%i: rejected', (code) => {
    expect(pushOutcomeOf(code, {}, now).status).toBe('rejected');
  });
});
