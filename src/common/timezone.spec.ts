import { isValidTimeZone, normalizeTimeZone } from './timezone';

describe(isValidTimeZone.name, () => {
  const sut = isValidTimeZone;

  it.each([
    'UTC',
    'Europe/Paris',
    'America/New_York',
    'America/Argentina/Buenos_Aires',
    'America/Port-au-Prince',
    'Asia/Kolkata',
    'Asia/Calcutta',
    'Asia/Kathmandu',
    'Australia/Sydney',
    'Etc/GMT+5',
    'Etc/GMT-14',
    'europe/paris',
  ])('accepts the IANA zone %s', (name) => {
    expect(sut(name)).toBe(true);
  });

  it.each([
    '+02:00',
    '-0500',
    '+05:30',
    'UTC+2',
    'GMT+2',
    'Z',
    'Europe/Atlantis',
    'Mars/Olympus_Mons',
    '',
    ' Europe/Paris',
    'Europe/Paris\n',
    'Europe//Paris',
    '/Europe/Paris',
    '../etc/passwd',
    'A'.repeat(65),
  ])('refuses %j', (name) => {
    expect(sut(name)).toBe(false);
  });

  it.each([null, undefined, 2, {}, ['UTC']])('refuses the non-string %j', (name) => {
    expect(sut(name)).toBe(false);
  });
});

describe(normalizeTimeZone.name, () => {
  const sut = normalizeTimeZone;

  it('keeps a correctly spelt name as it is', () => {
    expect(sut('Europe/Paris')).toBe('Europe/Paris');
  });

  it('fixes the case', () => {
    expect(sut('europe/paris')).toBe('Europe/Paris');
    expect(sut('utc')).toBe('UTC');
  });

  it('does not swap a current name for an old alias', () => {
    expect(sut('Asia/Kolkata')).toBe('Asia/Kolkata');
    expect(sut('Europe/Kyiv')).toBe('Europe/Kyiv');
  });

  it('returns undefined for an invalid zone', () => {
    expect(sut('+02:00')).toBeUndefined();
  });
});
