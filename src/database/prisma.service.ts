import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/config';

@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super({ adapter: new PrismaPg({ connectionString: config.databaseUrl, max: 20 }) });
  }

  // Not onModuleDestroy: Nest runs that before beforeApplicationShutdown, where the
  // consumer and the outbox worker still store and record what is in flight.
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
  }
}
