import type { PrismaClient } from '../generated/prisma/client';

/** Only these go back to the queue: a sent one would be a duplicate, the others are still on their way. */
export const RESENDABLE = ['failed', 'skipped'] as const;

/**
 * An operator's resend: a failed or skipped row goes back to the queue with its
 * attempts cleared and a fresh age, and is checked at claim time like any other.
 * A plain function, because the operator CLI has no Nest container. Returns
 * false when the row is not (or no longer) resendable.
 */
export async function requeueDelivery(prisma: Pick<PrismaClient, 'delivery'>, id: bigint): Promise<boolean> {
  const { count } = await prisma.delivery.updateMany({
    where: { id, status: { in: [...RESENDABLE] } },
    data: { status: 'queued', attempts: 0, nextAttemptAt: new Date(), createdAt: new Date(), leaseUntil: null, leaseToken: null, lastError: null },
  });
  return count === 1;
}
