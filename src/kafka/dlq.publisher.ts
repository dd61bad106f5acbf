import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/config';
import { KAFKA } from './kafka.provider';

export interface MessageSource {
  topic: string;
  partition: number;
  offset: string;
}

export interface RejectedMessage {
  message: KafkaMessage;
  source: MessageSource;
  reason: string;
}

export const DLQ_ERROR_HEADER = 'dispatch-error';

/** The DLQ did not take the messages (broker down, topic missing, write refused): retry later, never skip them. */
export class DlqUnavailableError extends Error {
  override readonly name = 'DlqUnavailableError';
}

/**
 * Publishes rejected events unchanged (key, value, headers) with the reason and
 * where they came from. Throws DlqUnavailableError when the broker does not acknowledge, so the
 * caller does not commit past a message that is neither stored nor parked.
 */
@Injectable()
export class DlqPublisher implements OnApplicationShutdown {
  private producer?: Producer;
  private connecting?: Promise<Producer>;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async publish(rejected: RejectedMessage[]): Promise<void> {
    if (rejected.length === 0) return;
    try {
      await this.send(rejected);
    } catch (error) {
      throw new DlqUnavailableError(`DLQ publish failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }

  private async send(rejected: RejectedMessage[]): Promise<void> {
    const producer = await this.connect();
    await producer.send({
      topic: this.config.kafka.dlqTopic,
      acks: -1,
      messages: rejected.map(({ message, source, reason }) => ({
        key: message.key,
        value: message.value,
        headers: {
          ...copyHeaders(message.headers),
          [DLQ_ERROR_HEADER]: reason,
          'dispatch-source-topic': source.topic,
          'dispatch-source-partition': String(source.partition),
          'dispatch-source-offset': source.offset,
        },
      })),
    });
  }

  // Not onModuleDestroy: Nest runs that before beforeApplicationShutdown, while the
  // consumer may still be parking the last messages of its batch.
  async onApplicationShutdown(): Promise<void> {
    await this.producer?.disconnect();
  }

  private connect(): Promise<Producer> {
    if (this.producer) return Promise.resolve(this.producer);
    this.connecting ??= (async () => {
      const producer = this.kafka.producer({ allowAutoTopicCreation: false, idempotent: false });
      await producer.connect();
      this.producer = producer;
      return producer;
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }
}

function copyHeaders(headers: IHeaders | undefined): IHeaders {
  const copy: IHeaders = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) copy[name] = value;
  }
  return copy;
}
