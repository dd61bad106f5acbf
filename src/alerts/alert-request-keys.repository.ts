import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { Prisma } from '../generated/prisma/client';
import type { RememberedRequest } from './idempotency';

/** Keys are promised for 24 hours (CONTRACT.md); kept twice that, then forgotten. */
const FORGET_AFTER_HOURS = 48;

/** One editor's Idempotency-Key: keys of different editor keys never collide. */
export interface RequestKey {
  editorKeyId: string;
  key: string;
}

/** The AlertRequestKey table: which POST /alerts a key was first used for, and what it answered. */
@Injectable()
export class AlertRequestKeysRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Takes the key for a new request: true when this request is its first use (the
   * primary key decides between concurrent ones), false when it is already in use.
   * Keys past their time are forgotten first, so a reused old key starts afresh.
   */
  async claim(id: RequestKey, bodyHash: string): Promise<boolean> {
    await this.prisma.$executeRaw`DELETE FROM "AlertRequestKey" WHERE "createdAt" < now() - make_interval(hours => ${FORGET_AFTER_HOURS})`;
    const inserted = await this.prisma.$executeRaw`
      INSERT INTO "AlertRequestKey" ("editorKeyId", "key", "bodyHash") VALUES (${id.editorKeyId}, ${id.key}, ${bodyHash})
      ON CONFLICT DO NOTHING`;
    return inserted > 0;
  }

  async find<T>(id: RequestKey): Promise<RememberedRequest<T> | null> {
    const row = await this.prisma.alertRequestKey.findUnique({ where: { editorKeyId_key: id }, select: { bodyHash: true, response: true } });
    return row ? { bodyHash: row.bodyHash, response: row.response as T | null } : null;
  }

  /** Records the first request's answer, for every later request with the key to get. */
  async complete(id: RequestKey, alertId: string, response: Prisma.InputJsonObject): Promise<void> {
    await this.prisma.alertRequestKey.updateMany({ where: id, data: { alertId, response } });
  }

  /** The first request failed: the key is free again, so a retry can succeed. */
  async release(id: RequestKey): Promise<void> {
    await this.prisma.alertRequestKey.deleteMany({ where: { ...id, response: { equals: Prisma.DbNull } } });
  }
}
