import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { PRIORITY } from '../deliveries/delivery.types';
import { Prisma } from '../generated/prisma/client';

type Tx = Prisma.TransactionClient | PrismaService;

/** One digest email decided: the outbox row it becomes. */
export interface DigestDelivery {
  /** digest:{subscriber}:{period} — a period is delivered once, whoever decides it. */
  dedupeKey: string;
  messageId: string;
  subscriberId: string;
  /** Best first; the order is kept. */
  articleIds: string[];
  relatedIds: string[];
  payload: { more: number; period: string };
}

/**
 * Writes a batch of digest rows to the outbox in one statement. This is
 * DeliveriesRepository.enqueue's contract (a dedupeKey seen before is a no-op) for
 * the one caller that writes thousands of rows at a time: a single
 * INSERT … SELECT over a JSON document, where Prisma's createMany spent more CPU
 * composing the statement than PostgreSQL spent running it.
 */
@Injectable()
export class DigestDeliveriesRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Returns how many rows were new. */
  async enqueue(runId: string, rows: readonly DigestDelivery[], tx: Tx = this.prisma): Promise<number> {
    if (rows.length === 0) return 0;
    return tx.$executeRaw`
      INSERT INTO "Delivery" ("kind", "dedupeKey", "messageId", "priority", "subscriberId", "runId", "articleIds", "relatedIds", "payload")
      SELECT 'digest'::"DeliveryKind", r."dedupeKey", r."messageId", ${PRIORITY.digest}, r."subscriberId", ${runId}::uuid,
             ARRAY(SELECT a.id FROM jsonb_array_elements_text(r."articleIds") WITH ORDINALITY AS a(id, n) ORDER BY a.n),
             ARRAY(SELECT a.id FROM jsonb_array_elements_text(r."relatedIds") WITH ORDINALITY AS a(id, n) ORDER BY a.n),
             r."payload"
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        AS r("dedupeKey" text, "messageId" text, "subscriberId" uuid, "articleIds" jsonb, "relatedIds" jsonb, "payload" jsonb)
      ON CONFLICT ("dedupeKey") DO NOTHING`;
  }
}
