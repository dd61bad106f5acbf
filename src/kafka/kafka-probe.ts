import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Admin, Kafka } from 'kafkajs';
import { KAFKA } from './kafka.provider';

export interface PartitionProgress {
  partition: number;
  /** The high watermark: the offset the next message will get. */
  end: number;
  /** The group's committed offset (the log start when it has committed none). */
  committed: number;
  lag: number;
}

/**
 * Reads a consumer group's progress from the broker's own offsets, over one admin
 * connection kept open between checks: checking every few seconds opens no new
 * connection while the broker answers. After a failure it starts again afresh.
 */
@Injectable()
export class KafkaProbe implements OnApplicationShutdown {
  private admin?: Promise<Admin>;
  private closed = false;

  constructor(@Inject(KAFKA) private readonly kafka: Kafka) {}

  async progress(groupId: string, topic: string): Promise<PartitionProgress[]> {
    try {
      const admin = await this.connected();
      const [ends, [committed]] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
      const byPartition = new Map(committed.partitions.map((p) => [p.partition, Number(p.offset)]));
      return ends
        .map(({ partition, high, low }) => {
          const end = Number(high);
          const own = byPartition.get(partition) ?? -1;
          const at = own >= 0 ? own : Number(low);
          return { partition, end, committed: at, lag: Math.max(0, end - at) };
        })
        .sort((a, b) => a.partition - b.partition);
    } catch (error) {
      await this.reset();
      throw error;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    await this.reset();
  }

  private connected(): Promise<Admin> {
    if (this.closed) return Promise.reject(new Error('Kafka probe is closed'));
    this.admin ??= (async () => {
      // No retries of its own: a check that fails says so now; the next check tries again.
      const admin = this.kafka.admin({ retry: { retries: 0 } });
      await admin.connect();
      return admin;
    })();
    return this.admin;
  }

  private async reset(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.then((a) => a.disconnect()).catch(() => undefined);
  }
}
