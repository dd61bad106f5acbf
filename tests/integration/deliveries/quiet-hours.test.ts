import { DateTime } from 'luxon';
import { eventually, startTestApp, TestApp } from '../../support/app';
import { MovableClock } from '../../support/clock';
import { assertCleanLedger, checkLedger, deliveryRows, ExpectedEmail, Ledger } from '../../support/ledger';
import { alertStatus, anArticle, aReader, mailsOf, postAlert, Reader } from '../alerts/alert-fixtures';

// Readers' quiet hours and daily cap of minor alerts (CONTRACT.md, "Breaking alerts"),
// through the real outbox, PostgreSQL and SMTP server. The app's clock is real time,
// moved on by the test where a reader's night must pass; the database's own clock
// cannot be moved, so a held row's due time is brought forward to match (as time
// passing would), and everything the reader sees follows from the service.

jest.setTimeout(120_000);

const HOUR = 3_600_000;

describe('minor alerts and readers’ quiet hours and daily cap', () => {
  const clock = new MovableClock();
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ clock });
  });

  afterAll(async () => {
    await app?.close();
  });

  afterEach(() => clock.reset());

  async function anAlert(tag: string, priority: 'major' | 'minor'): Promise<string> {
    const article = await anArticle(app.prisma, { tags: [tag] });
    const created = await postAlert(app, { articleId: article.id, priority, channels: ['email'] }).expect(202);
    return created.body.alertId as string;
  }
  const aMinorAlert = (tag: string) => anAlert(tag, 'minor');
  const aMajorAlert = (tag: string) => anAlert(tag, 'major');

  async function withLimits(reader: Reader, limits: { quietHoursStart?: number; quietHoursEnd?: number; maxAlertsPerDay?: number; timezone?: string }): Promise<Reader> {
    await app.prisma.subscriber.update({ where: { id: reader.id }, data: limits });
    return reader;
  }

  const rowOf = (alertId: string, reader: Reader) => app.prisma.delivery.findFirstOrThrow({ where: { alertId, subscriberId: reader.id, kind: 'alert' } });
  const mailsTo = (reader: Reader, alertId: string) => mailsOf(app.smtp.messages, alertId).filter((mail) => mail.envelope.to.includes(reader.email));
  const received = (reader: Reader, alertId: string) => eventually(async () => (mailsTo(reader, alertId).length > 0 ? true : undefined), 30_000);
  const settled = (alertId: string, reader: Reader, status: string) =>
    eventually(async () => {
      const row = await rowOf(alertId, reader);
      return row.status === status ? row : undefined;
    }, 30_000);

  /** Brings a held row's due time to the database's now, as the passing of the night would. */
  const nightPassed = (alertId: string, reader: Reader) =>
    app.prisma.$executeRaw`UPDATE "Delivery" SET "nextAttemptAt" = now() WHERE "alertId" = ${alertId}::uuid AND "subscriberId" = ${reader.id}::uuid AND "status" = 'queued'`;

  /** The ledger over this test's readers: exactly the alerts expected, nothing else to them. */
  async function assertLedger(readers: readonly Reader[], expected: ExpectedEmail[]): Promise<void> {
    const mine = new Set(readers.map((reader) => reader.email));
    const rows = (await deliveryRows(app.prisma)).filter((row) => row.email !== null && mine.has(row.email));
    const messages = app.smtp.messages.filter((mail) => mail.envelope.to.some((to) => mine.has(to)));
    assertCleanLedger(checkLedger({ ...new Ledger().expect(expected).expectation(), received: messages, rows, connectionsInUse: app.config.smtp.poolSize }));
  }

  const alertTo = (reader: Reader, alertId: string): ExpectedEmail => ({ to: reader.email, kind: 'alert', about: alertId });

  it('holds a minor alert while the reader’s quiet hours last, sends it to the others, and sends it when they end', async () => {
    // Quiet hours that hold now on a Kolkata clock (UTC+05:30): from this local hour for two hours.
    const zone = 'Asia/Kolkata';
    const local = DateTime.fromJSDate(clock.now(), { zone });
    const quietEnd = local.startOf('hour').plus({ hours: 2 }).toJSDate();
    const asleep = await withLimits(await aReader(app.prisma, { tags: ['quiet-1'] }), { timezone: zone, quietHoursStart: local.hour, quietHoursEnd: (local.hour + 2) % 24 });
    const awake = await aReader(app.prisma, { tags: ['quiet-1'] });
    const quietLater = await withLimits(await aReader(app.prisma, { tags: ['quiet-1'] }), { timezone: zone, quietHoursStart: (local.hour + 3) % 24, quietHoursEnd: (local.hour + 5) % 24 });

    const alertId = await aMinorAlert('quiet-1');

    await received(awake, alertId);
    await received(quietLater, alertId);
    const held = await eventually(async () => {
      const row = await rowOf(alertId, asleep);
      return row.heldUntil !== null ? row : undefined;
    }, 30_000);
    expect(held).toMatchObject({ status: 'queued', heldUntil: quietEnd, nextAttemptAt: quietEnd, attempts: 0, leaseToken: null });
    // Still held a moment later: nothing claims it before its time.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await rowOf(alertId, asleep)).toMatchObject({ status: 'queued', heldUntil: quietEnd });
    expect(mailsTo(asleep, alertId)).toHaveLength(0);
    const whileHeld = (await alertStatus(app, alertId).expect(200)).body;
    expect(whileHeld.status).not.toBe('sent');
    expect(whileHeld).toMatchObject({ held: 1, sent: 2, channels: { email: { held: 1, sent: 2 } } });

    clock.advance(quietEnd.getTime() - clock.now().getTime() + 1_000);
    await nightPassed(alertId, asleep);

    await received(asleep, alertId);
    expect(await settled(alertId, asleep, 'sent')).toMatchObject({ heldUntil: null, attempts: 1 });
    expect((await alertStatus(app, alertId).expect(200)).body).toMatchObject({ held: 0, sent: 3 });
    await assertLedger([asleep, awake, quietLater], [alertTo(asleep, alertId), alertTo(awake, alertId), alertTo(quietLater, alertId)]);
  });

  it('sends a major alert at once to a reader in quiet hours', async () => {
    const local = DateTime.fromJSDate(clock.now(), { zone: 'UTC' });
    const asleep = await withLimits(await aReader(app.prisma, { tags: ['quiet-2'] }), { quietHoursStart: local.hour, quietHoursEnd: (local.hour + 2) % 24, maxAlertsPerDay: 1 });

    const alertId = await aMajorAlert('quiet-2');

    await received(asleep, alertId);
    expect(await settled(alertId, asleep, 'sent')).toMatchObject({ heldUntil: null });
    await assertLedger([asleep], [alertTo(asleep, alertId)]);
  });

  it('drops a minor alert that would be more than 12 hours old when the reader’s quiet hours end', async () => {
    const local = DateTime.fromJSDate(clock.now(), { zone: 'UTC' });
    // Fourteen quiet hours from this one: they end at least 13 hours from now.
    const asleep = await withLimits(await aReader(app.prisma, { tags: ['quiet-3'] }), { quietHoursStart: local.hour, quietHoursEnd: (local.hour + 14) % 24 });
    const awake = await aReader(app.prisma, { tags: ['quiet-3'] });

    const alertId = await aMinorAlert('quiet-3');

    await received(awake, alertId);
    expect(await settled(alertId, asleep, 'skipped')).toMatchObject({ lastError: 'minor alert held past 12 hours', heldUntil: null });
    await assertLedger([asleep, awake], [alertTo(awake, alertId)]);
  });

  it('holds a minor alert across a change of the clocks: 22:30 in Paris on 24 October 2026 waits until 07:00 winter time', async () => {
    const reader = await withLimits(await aReader(app.prisma, { tags: ['quiet-dst'] }), { timezone: 'Europe/Paris', quietHoursStart: 22, quietHoursEnd: 7 });
    clock.set(new Date('2026-10-24T20:30:00Z'));

    const alertId = await aMinorAlert('quiet-dst');

    // The database's clock is in December: the row is due at once, claimed again and held again, the same way.
    const held = await eventually(async () => {
      const row = await rowOf(alertId, reader);
      return row.heldUntil !== null ? row : undefined;
    }, 30_000);
    expect(held.heldUntil).toEqual(new Date('2026-10-25T06:00:00Z'));
    expect(mailsTo(reader, alertId)).toHaveLength(0);

    clock.set(new Date('2026-10-25T06:00:00Z'));
    await received(reader, alertId);
    await settled(alertId, reader, 'sent');
    await assertLedger([reader], [alertTo(reader, alertId)]);
  });

  it('sends a capped reader at most their number of minor alerts in their local day, major ones aside, and more the next day', async () => {
    const zone = 'America/New_York';
    const capped = await withLimits(await aReader(app.prisma, { tags: ['capped'] }), { timezone: zone, maxAlertsPerDay: 2 });
    const uncapped = await aReader(app.prisma, { tags: ['capped'] });
    // Keep the test away from the reader's midnight, where the day (and the count) would start again mid-test.
    const local = DateTime.fromJSDate(clock.now(), { zone });
    if (local.hour === 23) clock.advance(HOUR);

    const first = await aMinorAlert('capped');
    await received(capped, first);
    // Three more at once: two claims (or one) racing for the reader's last place.
    const more = await Promise.all([aMinorAlert('capped'), aMinorAlert('capped'), aMinorAlert('capped')]);
    for (const alertId of more) await received(uncapped, alertId);
    const outcomes = await Promise.all(more.map((alertId) => eventually(async () => {
      const row = await rowOf(alertId, capped);
      return ['sent', 'skipped'].includes(row.status) ? row : undefined;
    }, 30_000)));
    const sentMore = more.filter((_, index) => outcomes[index].status === 'sent');
    const dropped = outcomes.filter((row) => row.status === 'skipped');
    expect(sentMore).toHaveLength(1);
    expect(dropped.map((row) => row.lastError)).toEqual(['daily alert cap reached', 'daily alert cap reached']);

    const major = await aMajorAlert('capped');
    await received(capped, major);

    const nextDay = DateTime.fromJSDate(clock.now(), { zone }).plus({ days: 1 }).startOf('day').plus({ minutes: 1 }).toJSDate();
    clock.advance(nextDay.getTime() - clock.now().getTime());
    const tomorrow = await aMinorAlert('capped');
    await received(capped, tomorrow);
    await received(uncapped, tomorrow);

    await assertLedger(
      [capped, uncapped],
      [
        ...[first, ...sentMore, major, tomorrow].map((alertId) => alertTo(capped, alertId)),
        ...[first, ...more, major, tomorrow].map((alertId) => alertTo(uncapped, alertId)),
      ],
    );
  });
});
