import { startTestApp, TestApp } from '../../support/app';
import { aConfirmedReader, BROWSER, FORM, formBody, linkIn, send } from './reader';

// The preference centre's limits on minor breaking alerts (CONTRACT.md, "Breaking
// alerts"): quiet hours and a daily cap, from JSON and from the page's form.

describe('preference centre: quiet hours and daily alert cap', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
  });

  afterAll(async () => {
    await app?.close();
  });

  const limits = async (id: string) =>
    app.prisma.subscriber.findUniqueOrThrow({ where: { id }, select: { quietHoursStart: true, quietHoursEnd: true, maxAlertsPerDay: true } });

  it('sets and clears them from JSON, leaving the other choices as they are', async () => {
    const { id, mail } = await aConfirmedReader(app, { sendHour: 6, timezone: 'Europe/Paris' });
    const path = linkIn(mail, app, '/preferences');

    const set = await send(app, { method: 'POST', path, body: { quietHours: { start: 22, end: 7 }, maxAlertsPerDay: 3 } });

    expect(set.status).toBe(200);
    expect(set.json()).toMatchObject({ preferences: { sendHour: 6, timezone: 'Europe/Paris', quietHours: { start: 22, end: 7 }, maxAlertsPerDay: 3 } });
    expect(await limits(id)).toEqual({ quietHoursStart: 22, quietHoursEnd: 7, maxAlertsPerDay: 3 });

    const onlyCap = await send(app, { method: 'POST', path, body: { maxAlertsPerDay: null } });
    expect(onlyCap.json()).toMatchObject({ preferences: { quietHours: { start: 22, end: 7 }, maxAlertsPerDay: null } });

    await send(app, { method: 'POST', path, body: { quietHours: null } });
    expect(await limits(id)).toEqual({ quietHoursStart: null, quietHoursEnd: null, maxAlertsPerDay: null });
    expect(await app.prisma.subscriber.findUniqueOrThrow({ where: { id } })).toMatchObject({ sendHour: 6, timezone: 'Europe/Paris' });
  });

  it.each([
    [{ quietHours: { start: 7, end: 7 } }, 'quietHours: start and end must be different hours'],
    [{ quietHours: { start: 22, end: 24 } }, 'quietHours.end: must be an integer from 0 to 23 (a local hour)'],
    [{ quietHours: { start: -1, end: 7 } }, 'quietHours.start: must be an integer from 0 to 23 (a local hour)'],
    [{ quietHours: [22, 7] }, 'quietHours: must be {"start": 22, "end": 7} (local hours) or null for none'],
    [{ maxAlertsPerDay: 0 }, 'maxAlertsPerDay: must be an integer from 1 to 20, or null for no cap'],
    [{ maxAlertsPerDay: 21 }, 'maxAlertsPerDay: must be an integer from 1 to 20, or null for no cap'],
    [{ maxAlertsPerDay: 'five' }, 'maxAlertsPerDay: must be an integer from 1 to 20, or null for no cap'],
  ])('refuses %j with a 400 naming the field, changing nothing', async (body, message) => {
    const { id, mail } = await aConfirmedReader(app);

    const response = await send(app, { method: 'POST', path: linkIn(mail, app, '/preferences'), body });

    expect(response.status).toBe(400);
    expect(response.json()).toEqual({ statusCode: 400, error: 'Bad Request', message });
    expect(await limits(id)).toEqual({ quietHoursStart: null, quietHoursEnd: null, maxAlertsPerDay: null });
  });

  describe('the page', () => {
    const form = (fields: Record<string, string>) => formBody({ tags: ['ainews'], frequency: 'daily', sendHour: '7', timezone: 'UTC', weekday: 'monday', ...fields });

    it('shows "Off" and "No limit" until they are set, then the stored values', async () => {
      const { mail } = await aConfirmedReader(app);
      const path = linkIn(mail, app, '/preferences');

      const before = await send(app, { path });
      expect(before.text).toContain('<option value="" selected>Off</option>');
      expect(before.text).toContain('<option value="" selected>No limit</option>');

      await send(app, { method: 'POST', path, body: { quietHours: { start: 23, end: 6 }, maxAlertsPerDay: 4 } });
      const after = await send(app, { path });
      expect(after.text).toMatch(/<select id="quietHoursStart" name="quietHoursStart"><option value="">Off<\/option>.*<option value="23" selected>23:00<\/option>/s);
      expect(after.text).toMatch(/<select id="quietHoursEnd" name="quietHoursEnd">.*<option value="6" selected>06:00<\/option>/s);
      expect(after.text).toContain('<option value="4" selected>4</option>');
    });

    it('saves them from the form, without JavaScript, and clears them with "Off" and "No limit"', async () => {
      const { id, mail } = await aConfirmedReader(app);
      const path = linkIn(mail, app, '/preferences');

      const saved = await send(app, { method: 'POST', path, headers: { ...FORM, ...BROWSER }, body: form({ quietHoursStart: '22', quietHoursEnd: '7', maxAlertsPerDay: '2' }) });
      expect(saved.status).toBe(200);
      expect(saved.text).toContain('Saved.');
      expect(await limits(id)).toEqual({ quietHoursStart: 22, quietHoursEnd: 7, maxAlertsPerDay: 2 });

      await send(app, { method: 'POST', path, headers: { ...FORM, ...BROWSER }, body: form({ quietHoursStart: '', quietHoursEnd: '7', maxAlertsPerDay: '' }) });
      expect(await limits(id)).toEqual({ quietHoursStart: null, quietHoursEnd: null, maxAlertsPerDay: null });
    });

    it('shows a refused choice again with its message, and changes nothing', async () => {
      const { id, mail } = await aConfirmedReader(app);

      const refused = await send(app, { method: 'POST', path: linkIn(mail, app, '/preferences'), headers: { ...FORM, ...BROWSER }, body: form({ quietHoursStart: '5', quietHoursEnd: '5', maxAlertsPerDay: '' }) });

      expect(refused.status).toBe(400);
      expect(refused.text).toContain('<a href="#quietHoursStart">Quiet hours</a>: start and end must be different hours');
      expect(refused.text).toContain('aria-invalid="true"');
      expect(await limits(id)).toEqual({ quietHoursStart: null, quietHoursEnd: null, maxAlertsPerDay: null });
    });
  });
});
