import { Inject, Injectable, Logger } from '@nestjs/common';
import { Admin, Kafka } from 'kafkajs';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/config';
import { KAFKA } from './kafka.provider';

/** Creates the service's topics at start-up and answers the health check. */
@Injectable()
export class KafkaTopicsService {
  private readonly logger = new Logger(KafkaTopicsService.name);

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async ensureTopics(): Promise<void> {
    await this.withAdmin(async (admin) => {
      const existing = new Set(await admin.listTopics());
      const { articlesTopic, dlqTopic, partitions } = this.config.kafka;
      const missing = [articlesTopic, dlqTopic].filter((topic) => !existing.has(topic));
      if (missing.length === 0) return;
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: -1 })),
      });
      this.logger.log({ topics: missing, partitions, msg: 'created topics' });
    });
  }

  /** Throws unless a broker answers a metadata request within the timeout. */
  async ping(timeoutMs = 3000): Promise<void> {
    const admin = this.kafka.admin({ retry: { retries: 0 } });
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        (async () => {
          await admin.connect();
          await admin.describeCluster();
        })(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('Kafka did not answer in time')), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      await admin.disconnect().catch(() => undefined);
    }
  }

  async withAdmin<T>(work: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      return await work(admin);
    } finally {
      await admin.disconnect();
    }
  }
}
