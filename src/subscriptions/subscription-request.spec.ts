import { formatZodError } from '../common/validation';
import {
  DEFAULT_PREFERENCES,
  isoWeekday,
  MAX_TAGS_PER_SUBSCRIBER,
  preferencesUpdateSchema,
  subscriptionRequestSchema,
  validate,
  weekdayName,
  WEEKDAYS,
} from './subscription-request';

function aSubscriptionBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { email: 'reader@example.com', tags: ['ainews'], ...overrides };
}

describe('subscriptionRequestSchema', () => {
  const sut = (body: unknown) => validate(subscriptionRequestSchema, body);
  const messageFor = (body: unknown) => {
    const result = sut(body);
    if (result.ok) throw new Error('expected the body to be refused');
    return result.message;
  };

  it('applies the contract defaults: daily, 07:00, UTC, Monday', () => {
    expect(sut(aSubscriptionBody())).toEqual({
      ok: true,
      value: { email: 'reader@example.com', tags: ['ainews'], frequency: 'daily', sendHour: 7, timezone: 'UTC', weekday: 1 },
    });
    expect(DEFAULT_PREFERENCES).toEqual({ frequency: 'daily', sendHour: 7, timezone: 'UTC', weekday: 1 });
  });

  it('takes every field when given', () => {
    const body = aSubscriptionBody({ frequency: 'weekly', sendHour: 23, timezone: 'Europe/Paris', weekday: 'sunday' });
    expect(sut(body)).toMatchObject({ ok: true, value: { frequency: 'weekly', sendHour: 23, timezone: 'Europe/Paris', weekday: 7 } });
  });

  it('normalises the address and the tags', () => {
    const body = aSubscriptionBody({ email: '  Reader@EXAMPLE.com ', tags: ['#AINews', 'ainews', 'News'] });
    expect(sut(body)).toMatchObject({ ok: true, value: { email: 'Reader@example.com', tags: ['ainews', 'news'] } });
  });

  it.each(WEEKDAYS.map((name, i) => [name, i + 1] as const))('maps %s to ISO weekday %i', (name, number) => {
    expect(sut(aSubscriptionBody({ weekday: name }))).toMatchObject({ ok: true, value: { weekday: number } });
  });

  it('reads weekday names in any case', () => {
    expect(sut(aSubscriptionBody({ weekday: ' Friday ' }))).toMatchObject({ ok: true, value: { weekday: 5 } });
  });

  it('accepts sendHour 0 and 23', () => {
    expect(sut(aSubscriptionBody({ sendHour: 0 }))).toMatchObject({ ok: true, value: { sendHour: 0 } });
    expect(sut(aSubscriptionBody({ sendHour: 23 }))).toMatchObject({ ok: true, value: { sendHour: 23 } });
  });

  it('keeps a current zone name rather than an old alias', () => {
    expect(sut(aSubscriptionBody({ timezone: 'Asia/Kolkata' }))).toMatchObject({ ok: true, value: { timezone: 'Asia/Kolkata' } });
    expect(sut(aSubscriptionBody({ timezone: 'Europe/Kyiv' }))).toMatchObject({ ok: true, value: { timezone: 'Europe/Kyiv' } });
  });

  it('fixes the case of a zone name', () => {
    expect(sut(aSubscriptionBody({ timezone: 'europe/paris' }))).toMatchObject({ ok: true, value: { timezone: 'Europe/Paris' } });
  });

  it(`accepts ${MAX_TAGS_PER_SUBSCRIBER} tags`, () => {
    const tags = Array.from({ length: MAX_TAGS_PER_SUBSCRIBER }, (_, i) => `tag-${i}`);
    expect(sut(aSubscriptionBody({ tags }))).toMatchObject({ ok: true, value: { tags } });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a missing address', { email: undefined }, 'email: is required'],
    ['a hostile address', { email: '"a@b x"@host' }, 'email: must be a valid email address'],
    ['an address list', { email: 'a@example.com, b@example.com' }, 'email: must be a valid email address'],
    ['CR/LF in the address', { email: 'a@example.com\r\nBcc: b@example.com' }, 'email: must be a valid email address'],
    ['a 1,000-character address', { email: `${'a'.repeat(988)}@example.com` }, 'email: must be at most 254 characters'],
    ['missing tags', { tags: undefined }, 'tags: is required'],
    ['no tags', { tags: [] }, 'tags: at least 1 tag'],
    ['too many tags', { tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }, 'tags: at most 50 tags'],
    ['an invalid tag', { tags: ['ok', 'not ok'] }, 'tags[1]: must be 1 to 50 letters, digits or "-" (an optional leading "#" is dropped)'],
    ['an unknown frequency', { frequency: 'hourly' }, 'frequency: must be one of "daily", "weekly"'],
    ['sendHour 24', { sendHour: 24 }, 'sendHour: must be an integer from 0 to 23'],
    ['sendHour -1', { sendHour: -1 }, 'sendHour: must be an integer from 0 to 23'],
    ['a fractional sendHour', { sendHour: 7.5 }, 'sendHour: must be an integer from 0 to 23'],
    ['sendHour as text', { sendHour: 'seven' }, 'sendHour: must be an integer from 0 to 23'],
    ['an offset for a time zone', { timezone: '+02:00' }, 'timezone: must be an IANA time zone name, e.g. "Europe/Paris"'],
    ['an unknown time zone', { timezone: 'Europe/Atlantis' }, 'timezone: must be an IANA time zone name, e.g. "Europe/Paris"'],
    ['a weekday number', { weekday: 3 }, 'weekday: must be a day of the week ("monday" … "sunday")'],
    ['an unknown weekday', { weekday: 'someday' }, 'weekday: must be a day of the week ("monday" … "sunday")'],
    ['an unknown field', { sendhour: 9 }, 'sendhour: is not an allowed field'],
  ])('refuses %s, naming the field', (_, overrides, message) => {
    expect(messageFor(aSubscriptionBody(overrides))).toBe(message);
  });

  it('refuses a body that is not an object', () => {
    expect(messageFor('reader@example.com')).toBe('body: must be a JSON object');
    expect(messageFor(null)).toBe('body: must be a JSON object');
    expect(messageFor(undefined)).toBe('body: is required');
  });

  it('lists a form’s problems one per field', () => {
    const result = sut({ email: 'nope', tags: [], sendHour: 99 });
    expect(result).toMatchObject({
      ok: false,
      errors: [
        { field: 'email', message: 'must be a valid email address' },
        { field: 'tags', message: 'at least 1 tag' },
        { field: 'sendHour', message: 'must be an integer from 0 to 23' },
      ],
    });
  });

  it('can be used with formatZodError directly', () => {
    const result = subscriptionRequestSchema.safeParse(aSubscriptionBody({ sendHour: 30 }));
    expect(formatZodError(result.error!)).toBe('sendHour: must be an integer from 0 to 23');
  });
});

describe('preferencesUpdateSchema', () => {
  const sut = (body: unknown) => validate(preferencesUpdateSchema, body);

  it('takes any subset of the preferences, with no defaults filled in', () => {
    expect(sut({ sendHour: 6 })).toEqual({ ok: true, value: { sendHour: 6 } });
    expect(sut({ tags: ['#Climate'], weekday: 'tuesday' })).toEqual({ ok: true, value: { tags: ['climate'], weekday: 2 } });
  });

  it('takes all of them', () => {
    expect(sut({ tags: ['ai'], frequency: 'weekly', sendHour: 0, timezone: 'Asia/Kathmandu', weekday: 'sunday' })).toEqual({
      ok: true,
      value: { tags: ['ai'], frequency: 'weekly', sendHour: 0, timezone: 'Asia/Kathmandu', weekday: 7 },
    });
  });

  it('does not let the address change', () => {
    expect(sut({ email: 'other@example.com', sendHour: 6 })).toMatchObject({ ok: false, message: 'email: is not an allowed field' });
  });

  it('refuses an update that changes nothing', () => {
    expect(sut({})).toMatchObject({ ok: false, message: 'body: must change at least one preference' });
  });

  it('applies the same rules as a subscription', () => {
    expect(sut({ sendHour: 24 })).toMatchObject({ ok: false, message: 'sendHour: must be an integer from 0 to 23' });
    expect(sut({ tags: [] })).toMatchObject({ ok: false, message: 'tags: at least 1 tag' });
    expect(sut({ timezone: '+05:30' })).toMatchObject({ ok: false, message: expect.stringMatching(/^timezone: /) });
  });

  describe('limits on minor alerts', () => {
    it('takes quiet hours in local hours, across midnight or not, and null to clear them', () => {
      expect(sut({ quietHours: { start: 22, end: 7 } })).toEqual({ ok: true, value: { quietHours: { start: 22, end: 7 } } });
      expect(sut({ quietHours: { start: 0, end: 23 } })).toEqual({ ok: true, value: { quietHours: { start: 0, end: 23 } } });
      expect(sut({ quietHours: null })).toEqual({ ok: true, value: { quietHours: null } });
    });

    it('takes a daily cap from 1 to 20, and null for none', () => {
      expect(sut({ maxAlertsPerDay: 1 })).toEqual({ ok: true, value: { maxAlertsPerDay: 1 } });
      expect(sut({ maxAlertsPerDay: 20 })).toEqual({ ok: true, value: { maxAlertsPerDay: 20 } });
      expect(sut({ maxAlertsPerDay: null })).toEqual({ ok: true, value: { maxAlertsPerDay: null } });
    });

    it.each([
      [{ quietHours: { start: 22, end: 22 } }, 'quietHours: start and end must be different hours'],
      [{ quietHours: { start: 24, end: 7 } }, 'quietHours.start: must be an integer from 0 to 23 (a local hour)'],
      [{ quietHours: { start: 22, end: 6.5 } }, 'quietHours.end: must be an integer from 0 to 23 (a local hour)'],
      [{ quietHours: { start: 22 } }, 'quietHours.end: is required'],
      [{ quietHours: { start: '22', end: 7 } }, 'quietHours.start: must be an integer from 0 to 23 (a local hour)'],
      [{ quietHours: { start: 22, end: 7, days: 'weekends' } }, 'quietHours.days: is not an allowed field'],
      [{ quietHours: '22-7' }, 'quietHours: must be {"start": 22, "end": 7} (local hours) or null for none'],
      [{ maxAlertsPerDay: 0 }, 'maxAlertsPerDay: must be an integer from 1 to 20, or null for no cap'],
      [{ maxAlertsPerDay: 21 }, 'maxAlertsPerDay: must be an integer from 1 to 20, or null for no cap'],
      [{ maxAlertsPerDay: 2.5 }, 'maxAlertsPerDay: must be an integer from 1 to 20, or null for no cap'],
      [{ maxAlertsPerDay: '3' }, 'maxAlertsPerDay: must be an integer from 1 to 20, or null for no cap'],
    ])('refuses %j, naming the field', (body, message) => {
      expect(sut(body)).toMatchObject({ ok: false, message });
    });

    it('is not part of a subscription: limits are set in the preference centre', () => {
      expect(validate(subscriptionRequestSchema, aSubscriptionBody({ maxAlertsPerDay: 3 }))).toMatchObject({ ok: false, message: 'maxAlertsPerDay: is not an allowed field' });
    });
  });
});

describe(isoWeekday.name, () => {
  it('numbers weekdays the ISO way, Monday first', () => {
    expect(WEEKDAYS.map(isoWeekday)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});

describe(weekdayName.name, () => {
  it('is the inverse of isoWeekday', () => {
    for (const name of WEEKDAYS) expect(weekdayName(isoWeekday(name))).toBe(name);
  });
});
