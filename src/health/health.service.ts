import { Inject, Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { KafkaTopicsService } from '../kafka/kafka-topics.service';
import { MailTransport } from '../mail/mail-transport';
import { MAIL_TRANSPORT } from '../mail/mail.module';
import { ArticleEventsConsumer } from '../ingestion/article-events.consumer';

export type CheckResult = { status: 'up' } | { status: 'down'; error: string };

export interface HealthReport {
  status: 'ok' | 'error';
  checks: Record<'database' | 'kafka' | 'smtp' | 'consumer', CheckResult>;
}

const CHECK_TIMEOUT_MS = 3000;

/** Real round trips to every backing service; a consumer that gave up counts as down. */
@Injectable()
export class HealthService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly kafka: KafkaTopicsService,
    private readonly consumer: ArticleEventsConsumer,
    @Inject(MAIL_TRANSPORT) private readonly mail: MailTransport,
  ) {}

  async check(): Promise<HealthReport> {
    const [database, kafka, smtp] = await Promise.all([
      probe(() => this.prisma.$queryRaw`SELECT 1`),
      probe(() => this.kafka.ping(CHECK_TIMEOUT_MS)),
      probe(() => this.mail.verify()),
    ]);
    const consumer: CheckResult =
      this.consumer.joinOverdue() ? { status: 'down', error: 'article consumer has not been in its group for longer than a rebalance takes' } : { status: 'up' };
    const checks = { database, kafka, smtp, consumer };
    const healthy = Object.values(checks).every((c) => c.status === 'up');
    return { status: healthy ? 'ok' : 'error', checks };
  }
}

async function probe(work: () => Promise<unknown>): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      work(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { status: 'up' };
  } catch (error) {
    return { status: 'down', error: (error as Error).message.split('\n')[0] };
  } finally {
    clearTimeout(timer);
  }
}
