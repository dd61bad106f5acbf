import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';

export type DigestTrigger = 'tick' | 'manual';

export interface DigestRunRecord {
  id: string;
  at: Date;
  trigger: string;
  due: number;
  queued: number;
  empty: number;
  startedAt: Date;
  endedAt: Date | null;
}

/** One DigestRun row per run: what was asked, how many were due, how it ended. */
@Injectable()
export class DigestRunsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async create(at: Date, trigger: DigestTrigger, due: number): Promise<string> {
    const run = await this.prisma.digestRun.create({ data: { at, trigger, due }, select: { id: true } });
    return run.id;
  }

  async finish(id: string, totals: { queued: number; empty: number }): Promise<void> {
    await this.prisma.digestRun.update({ where: { id }, data: { ...totals, endedAt: new Date() } });
  }

  async find(id: string): Promise<DigestRunRecord | null> {
    return this.prisma.digestRun.findUnique({ where: { id } });
  }
}
