import type { PrismaClient } from '../../src/generated/prisma/client';
import type { ReceivedMail } from './smtp-sink';

/**
 * The ledger check of RELIABILITY.md: what the database says should have been
 * delivered, against what the SMTP server received, keyed by Message-ID.
 */
export interface LedgerReport {
  /** Deliveries recorded as sent (or owed: queued/sending/uncertain) that the server never received. */
  lost: string[];
  /** Message-IDs the server received more than once, beyond the counted uncertain resends. */
  duplicate: string[];
  /** Mail the server received with no eligible delivery behind it (unconfirmed, unsubscribed, suppressed, unknown). */
  unexpected: string[];
  /** Deliveries that went through the lease-expiry path: a resend may legitimately duplicate them. */
  uncertain: string[];
  expected: number;
  received: number;
}

interface LedgerRow {
  messageId: string;
  status: string;
  uncertainResends: number;
  email: string | null;
  subscriberStatus: string | null;
  suppressed: boolean;
}

export async function ledgerCheck(prisma: PrismaClient, mails: readonly ReceivedMail[]): Promise<LedgerReport> {
  const rows = await prisma.$queryRaw<LedgerRow[]>`
    SELECT d."messageId", d."status"::text AS "status", d."uncertainResends", s."email", s."status"::text AS "subscriberStatus",
           EXISTS (SELECT 1 FROM "Suppression" x WHERE x."emailHash" = encode(sha256(convert_to(s."email", 'UTF8')), 'hex')) AS "suppressed"
    FROM "Delivery" d LEFT JOIN "Subscriber" s ON s."id" = d."subscriberId"`;
  const byMessageId = new Map(rows.map((row) => [row.messageId, row]));
  const receivedCount = new Map<string, number>();
  for (const mail of mails) {
    const id = mail.messageId ?? '(none)';
    receivedCount.set(id, (receivedCount.get(id) ?? 0) + 1);
  }

  const owed = rows.filter((row) => row.status === 'sent');
  const lost = owed.filter((row) => !receivedCount.has(row.messageId)).map((row) => row.messageId);
  // Only a row resent after its lease ran out mid-send may legitimately arrive twice.
  const uncertain = rows.filter((row) => row.status === 'uncertain' || row.uncertainResends > 0).map((row) => row.messageId);
  const uncertainSet = new Set(uncertain);
  const duplicate = [...receivedCount.entries()]
    .filter(([id, count]) => count > 1 && !uncertainSet.has(id))
    .map(([id]) => id);
  const unexpected = [...receivedCount.keys()].filter((id) => {
    const row = byMessageId.get(id);
    if (!row) return true;
    return row.status === 'skipped' || row.status === 'failed' || row.status === 'queued';
  });
  return { lost, duplicate, unexpected, uncertain, expected: owed.length, received: mails.length };
}
