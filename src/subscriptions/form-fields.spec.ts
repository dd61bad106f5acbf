import { formToRequest, submittedForm } from './form-fields';

describe(formToRequest.name, () => {
  const sut = formToRequest;
  const fields = ['email', 'tags', 'frequency', 'sendHour', 'timezone', 'weekday'];

  it('turns a form into the JSON shape: tag lists, the other-topics box and hours as numbers', () => {
    const form = { email: 'a@example.com', tags: ['ainews', 'space'], otherTags: ' #Climate, energy  ', sendHour: '07', timezone: 'Europe/Paris', frequency: 'weekly', weekday: 'friday' };
    expect(sut(form, fields)).toEqual({
      email: 'a@example.com',
      tags: ['ainews', 'space', '#Climate', 'energy'],
      sendHour: 7,
      timezone: 'Europe/Paris',
      frequency: 'weekly',
      weekday: 'friday',
    });
  });

  it('reads a single ticked checkbox as a one-tag list and none as an empty one', () => {
    expect(sut({ tags: 'ainews' }, ['tags'])).toEqual({ tags: ['ainews'] });
    expect(sut({}, ['tags'])).toEqual({ tags: [] });
  });

  it('leaves what is not a plain hour for validation to refuse', () => {
    expect(sut({ sendHour: '7pm' }, ['sendHour'])).toEqual({ sendHour: '7pm' });
    expect(sut({ sendHour: ['1', '2'] }, ['sendHour'])).toEqual({ sendHour: ['1', '2'] });
  });

  it('drops empty values and fields it was not asked for, so defaults apply', () => {
    expect(sut({ email: 'a@example.com', frequency: '', admin: 'yes' }, ['email', 'frequency'])).toEqual({ email: 'a@example.com' });
  });

  it('reads quiet hours from two selects, "Off" clearing them, and leaves them alone when the form has none', () => {
    expect(sut({ quietHoursStart: '22', quietHoursEnd: '7' }, ['quietHours'])).toEqual({ quietHours: { start: 22, end: 7 } });
    expect(sut({ quietHoursStart: '', quietHoursEnd: '7' }, ['quietHours'])).toEqual({ quietHours: null });
    expect(sut({ quietHoursStart: 'late', quietHoursEnd: '7' }, ['quietHours'])).toEqual({ quietHours: { start: 'late', end: 7 } });
    expect(sut({}, ['quietHours'])).toEqual({});
  });

  it('reads the daily cap as a number, "No limit" as null', () => {
    expect(sut({ maxAlertsPerDay: '3' }, ['maxAlertsPerDay'])).toEqual({ maxAlertsPerDay: 3 });
    expect(sut({ maxAlertsPerDay: '' }, ['maxAlertsPerDay'])).toEqual({ maxAlertsPerDay: null });
    expect(sut({ maxAlertsPerDay: 'lots' }, ['maxAlertsPerDay'])).toEqual({ maxAlertsPerDay: 'lots' });
    expect(sut({}, ['maxAlertsPerDay'])).toEqual({});
  });

  it('copes with a body that is not a form', () => {
    expect(sut(undefined, ['email', 'tags'])).toEqual({ tags: [] });
  });
});

describe(submittedForm.name, () => {
  it('keeps what the reader typed, so a refused form comes back filled in', () => {
    expect(submittedForm({ email: 'not-an-address', tags: ['#AI', 'space'], sendHour: '9', weekday: 'Friday', timezone: 'Europe/Paris' })).toEqual({
      email: 'not-an-address',
      tags: ['ai', 'space'],
      otherTags: '',
      frequency: '',
      sendHour: '9',
      timezone: 'Europe/Paris',
      weekday: 5,
      quietHoursStart: '',
      quietHoursEnd: '',
      maxAlertsPerDay: '',
    });
  });
});
