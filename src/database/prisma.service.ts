import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { PrismaClient } from '../generated/prisma/client';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/config';

@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  /**
   * The connections Prisma's adapter runs on, shared with the outbox's per-email
   * statements (claim, mark sent): through Prisma, composing and decoding them cost
   * more of our CPU than PostgreSQL spent running them. Everything else goes through Prisma.
   */
  readonly pool: Pool;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const pool = new Pool({ connectionString: config.databaseUrl, max: 20 });
    super({ adapter: new PrismaPg(pool) });
    this.pool = pool;
  }

  // Not onModuleDestroy: Nest runs that before beforeApplicationShutdown, where the
  // consumer and the outbox worker still store and record what is in flight.
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
    await this.pool.end();
  }
}
