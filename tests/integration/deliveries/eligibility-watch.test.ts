import { Client } from 'pg';
import { AppConfig } from '../../../src/config/config';
import { EligibilityNotice } from '../../../src/deliveries/eligibility-notice';
import { EligibilityWatch } from '../../../src/deliveries/eligibility-watch';
import { emailHash } from '../../../src/suppression/email-hash';
import { eventually } from '../../support/app';
import { createTestDatabase, TestDatabase } from '../../support/database';

jest.setTimeout(60_000);

// The migration's triggers and the LISTEN connection together, on a real PostgreSQL:
// what the outbox worker relies on to trust eligibility it read at claim time.

const READER = '0b6a9f9e-3c1d-4a57-9a35-000000000001';
const OTHER = '0b6a9f9e-3c1d-4a57-9a35-000000000002';

describe(EligibilityWatch.name, () => {
  let db: TestDatabase;
  let sql: Client;
  let sut: EligibilityWatch;
  const heard: Array<EligibilityNotice | 'unsure'> = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    sql = new Client({ connectionString: db.url });
    await sql.connect();
  });

  beforeEach(async () => {
    await sql.query(
      `INSERT INTO "Subscriber" ("id", "email", "status", "tags", "updatedAt") VALUES
       ($1, 'reader@example.org', 'confirmed', '{ai}', now()), ($2, 'other@example.org', 'confirmed', '{ai}', now())`,
      [READER, OTHER],
    );
    sut = new EligibilityWatch({ databaseUrl: db.url } as AppConfig);
    await sut.start({ changed: (notice) => heard.push(notice), unsure: () => heard.push('unsure') });
    expect(sut.listening).toBe(true);
    heard.splice(0);
  });

  afterEach(async () => {
    await sut.stop();
    await sql.query('DELETE FROM "Subscriber"');
    await sql.query('DELETE FROM "Suppression"');
  });

  afterAll(async () => {
    await sql?.end();
    await db?.drop();
  });

  /** Waits for a marker notice sent after `step`, so "nothing heard" is an answer rather than impatience. */
  const after = async (step: () => Promise<unknown>): Promise<Array<EligibilityNotice | 'unsure'>> => {
    await step();
    await sql.query(`SELECT pg_notify('dispatch_eligibility', 's:marker')`);
    await eventually(async () => (heard.some((notice) => typeof notice === 'object' && 'subscriberId' in notice && notice.subscriberId === 'marker') ? true : undefined), 5_000, 10);
    return heard.splice(0).slice(0, -1);
  };

  it('hears an unsubscribe, an erasure and a suppression, each about its own reader', async () => {
    expect(await after(() => sql.query(`UPDATE "Subscriber" SET "status" = 'unsubscribed' WHERE "id" = $1`, [READER]))).toEqual([{ subscriberId: READER }]);
    expect(await after(() => sql.query(`DELETE FROM "Subscriber" WHERE "id" = $1`, [OTHER]))).toEqual([{ subscriberId: OTHER }]);
    const hash = emailHash('third@example.org');
    expect(await after(() => sql.query(`INSERT INTO "Suppression" ("emailHash", "reason") VALUES ($1, 'hard bounce')`, [hash]))).toEqual([{ emailHash: hash }]);
  });

  it('hears a push subscription removed, and not one whose tags change', async () => {
    const id = '7b0c8f8e-3f0a-4c55-9a57-2f1c4c3b8a10';
    await sql.query(
      `INSERT INTO "PushSubscription" ("id", "endpoint", "p256dh", "auth", "tags", "updatedAt") VALUES ($1, 'https://fcm.googleapis.com/fcm/send/x', 'k', 'a', '{ai}', now())`,
      [id],
    );
    expect(await after(() => sql.query(`UPDATE "PushSubscription" SET "tags" = '{news}' WHERE "id" = $1`, [id]))).toEqual([]);
    expect(await after(() => sql.query(`DELETE FROM "PushSubscription" WHERE "id" = $1`, [id]))).toEqual([{ pushSubscriptionId: id }]);
  });

  it('stays quiet for writes that cannot change eligibility, and for a rolled-back unsubscribe', async () => {
    const quiet = await after(async () => {
      await sql.query(`UPDATE "Subscriber" SET "nextDigestAt" = now(), "tags" = '{ai,news}', "updatedAt" = now() WHERE "id" = $1`, [READER]);
      await sql.query(`UPDATE "Subscriber" SET "status" = 'confirmed' WHERE "id" = $1`, [READER]);
      await sql.query('BEGIN');
      await sql.query(`UPDATE "Subscriber" SET "status" = 'unsubscribed' WHERE "id" = $1`, [READER]);
      await sql.query('ROLLBACK');
    });
    expect(quiet).toEqual([]);
  });

  it('says it is unsure when its connection is cut, listens again by itself, and hears what comes next', async () => {
    await sql.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'LISTEN%'`, [db.name]);
    await eventually(async () => (heard.includes('unsure') ? true : undefined), 5_000, 10);
    await eventually(async () => (sut.listening ? true : undefined), 10_000, 20);
    // Once when the connection went, once when listening began again: nothing read in between can be trusted.
    expect(heard.splice(0)).toEqual(['unsure', 'unsure']);
    expect(await after(() => sql.query(`UPDATE "Subscriber" SET "status" = 'pending' WHERE "id" = $1`, [OTHER]))).toEqual([{ subscriberId: OTHER }]);
  });
});
