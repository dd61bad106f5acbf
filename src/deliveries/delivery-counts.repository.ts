import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';

export interface DeliveryCounts {
  sent: number;
  failed: number;
}

/** What became of an alert's emails so far, for its status. */
@Injectable()
export class DeliveryCountsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async forAlert(alertId: string): Promise<DeliveryCounts> {
    const counts = await this.prisma.delivery.groupBy({
      by: ['status'],
      // The alert's emails: its pushes are another channel, counted apart.
      where: { alertId, kind: 'alert', status: { in: ['sent', 'failed'] } },
      _count: { _all: true },
    });
    const count = (status: string) => counts.find((c) => c.status === status)?._count._all ?? 0;
    return { sent: count('sent'), failed: count('failed') };
  }
}
