import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { Prisma } from '../generated/prisma/client';
import { emailHash, suppressionHashes } from './email-hash';

/** Soft (non-5.1.x) permanent failures in a row before an address is suppressed. */
export const SOFT_BOUNCE_LIMIT = 3;

type Tx = Prisma.TransactionClient | PrismaService;

@Injectable()
export class SuppressionRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Suppresses the address's mailbox: every spelling of it, whatever the case or +suffix. */
  async suppress(normalizedEmail: string, reason: string, tx: Tx = this.prisma): Promise<void> {
    await tx.suppression.upsert({
      where: { emailHash: emailHash(normalizedEmail) },
      create: { emailHash: emailHash(normalizedEmail), reason },
      update: {},
    });
  }

  async isSuppressed(normalizedEmail: string, tx: Tx = this.prisma): Promise<boolean> {
    return (await tx.suppression.count({ where: { emailHash: { in: suppressionHashes(normalizedEmail) } } })) > 0;
  }

  /** Counts a soft bounce; suppresses the address when they keep coming. */
  async recordSoftBounce(subscriberId: string, normalizedEmail: string, reason: string): Promise<void> {
    const updated = await this.prisma.subscriber.update({
      where: { id: subscriberId },
      data: { softBounces: { increment: 1 } },
      select: { softBounces: true },
    });
    if (updated.softBounces >= SOFT_BOUNCE_LIMIT) await this.suppress(normalizedEmail, `${SOFT_BOUNCE_LIMIT} permanent failures: ${reason}`);
  }
}
