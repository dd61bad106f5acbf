import { Inject, Injectable, Logger } from '@nestjs/common';
import { Admin, ConfigResourceTypes, Kafka } from 'kafkajs';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/config';
import { createTopicAndWait } from './create-topic';
import { KAFKA } from './kafka.provider';

/** Room for the DLQ headers (reason, source topic, partition, offset) on top of the original message. */
const DLQ_HEADROOM_BYTES = 64 * 1024;

/** The largest record batch a topic accepts: its max.message.bytes, the broker's default unless overridden. */
async function maxMessageBytes(admin: Admin, topic: string): Promise<number> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['max.message.bytes'] }],
  });
  const value = resources[0]?.configEntries.find((entry) => entry.configName === 'max.message.bytes')?.configValue;
  if (value === undefined) throw new Error(`Kafka did not report max.message.bytes of ${topic}`);
  return Number(value);
}

/** Creates the service's topics at start-up. */
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
      if (!existing.has(articlesTopic)) await this.createTopic(admin, articlesTopic, partitions);
      // A parked event is the original plus headers saying why and where from, so the DLQ
      // must take more than the article topic does: an event at the topic's limit would
      // otherwise be refused by the DLQ for ever and block its partition.
      const needed = (await maxMessageBytes(admin, articlesTopic)) + DLQ_HEADROOM_BYTES;
      if (!existing.has(dlqTopic)) {
        await this.createTopic(admin, dlqTopic, partitions, { 'max.message.bytes': String(needed) });
        return;
      }
      const actual = await maxMessageBytes(admin, dlqTopic);
      if (actual < needed) {
        this.logger.warn({ topic: dlqTopic, maxMessageBytes: actual, needed, msg: 'DLQ topic takes smaller messages than the article topic plus headers; an event near the limit cannot be parked' });
      }
    });
  }

  private async createTopic(admin: Admin, topic: string, partitions: number, config: Record<string, string> = {}): Promise<void> {
    await createTopicAndWait(admin, {
      topic,
      numPartitions: partitions,
      replicationFactor: -1,
      configEntries: Object.entries(config).map(([name, value]) => ({ name, value })),
    });
    this.logger.log({ topic, partitions, config, msg: 'created topic' });
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
