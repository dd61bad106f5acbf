import fc from 'fast-check';
import { Client } from 'pg';
import { emailHash, mailboxOf } from '../../../src/suppression/email-hash';
import { createTestDatabase, TestDatabase } from '../../support/database';

// The mailbox an address reaches is computed in two places: mailboxOf() in the
// service and dispatch_mailbox() in PostgreSQL (the suppression check inside the
// outbox's claim and the digest and alert queries). They must never disagree.

describe('mailbox folding in TypeScript and in PostgreSQL', () => {
  let db: TestDatabase;
  let client: Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    client = new Client({ connectionString: db.url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  const sqlFold = async (addresses: string[]) =>
    (await client.query<{ mailbox: string; hash: string }>('SELECT dispatch_mailbox(a) AS mailbox, dispatch_mailbox_hash(a) AS hash FROM unnest($1::text[]) WITH ORDINALITY AS t(a, n) ORDER BY n', [addresses])).rows;

  it('agrees on hand-picked spellings', async () => {
    const addresses = ['ann@example.com', 'Ann.Erase@Example.COM', 'victim+1@example.com', 'V+a+b@x.io', '+lead@x.io', '+lead+tail@x.io', 'a+@x.io', "o'Neil+x@EXAMPLE.com"];
    const rows = await sqlFold(addresses);
    expect(rows).toEqual(addresses.map((address) => ({ mailbox: mailboxOf(address), hash: emailHash(address) })));
  });

  it('agrees on any address the subscribe form accepts', async () => {
    const localChar = fc.constantFrom(...'abcXYZ019+.!#$%&\'*/=?^_`{|}~-'.split(''));
    const address = fc.tuple(fc.array(localChar, { minLength: 1, maxLength: 12 }), fc.constantFrom('example.com', 'Example.COM', 'x.io')).map(([local, domain]) => `${local.join('')}@${domain}`);
    await fc.assert(
      fc.asyncProperty(fc.array(address, { minLength: 1, maxLength: 50 }), async (addresses) => {
        const rows = await sqlFold(addresses);
        expect(rows).toEqual(addresses.map((a) => ({ mailbox: mailboxOf(a), hash: emailHash(a) })));
      }),
      { numRuns: 40 },
    );
  });
});
