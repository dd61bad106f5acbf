import { Inject, Injectable, Logger } from '@nestjs/common';
import { Client } from 'pg';
import { APP_CONFIG } from '../config/config.module';
import { AppConfig } from '../config/config';
import { ELIGIBILITY_CHANNEL, EligibilityNotice, parseEligibilityNotice } from './eligibility-notice';

export interface EligibilityListener {
  /** A reader's eligibility may have changed. */
  changed(notice: EligibilityNotice): void;
  /** Notices may have been missed: listening stopped, or has just begun again. Everything read before is stale. */
  unsure(): void;
}

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 5_000;
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Keeps a PostgreSQL connection LISTENing for eligibility changes, so the outbox
 * worker can trust what it read at claim time until told otherwise, instead of
 * reading every reader again before each send. A dedicated connection: a pooled
 * one would stop hearing notifications when it went back to the pool.
 */
@Injectable()
export class EligibilityWatch {
  private readonly logger = new Logger(EligibilityWatch.name);
  private client?: Client;
  private listener?: EligibilityListener;
  private stopped = false;
  private retryTimer?: NodeJS.Timeout;
  private retryInMs = RECONNECT_MIN_MS;
  private live = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** True while every change committed from now on will be heard. */
  get listening(): boolean {
    return this.live;
  }

  /** Resolves after the first attempt to listen; a failed one is retried in the background. */
  async start(listener: EligibilityListener): Promise<void> {
    this.listener = listener;
    this.stopped = false;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    this.live = false;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    // keepAlive: a connection that only listens would otherwise not notice a silently dead peer.
    const client = new Client({ connectionString: this.config.databaseUrl, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true });
    client.on('notification', ({ channel, payload }) => {
      if (channel !== ELIGIBILITY_CHANNEL) return;
      const notice = parseEligibilityNotice(payload);
      if (notice) this.listener?.changed(notice);
      else this.listener?.unsure();
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${ELIGIBILITY_CHANNEL}`);
    } catch (error) {
      this.lost(client, error as Error);
      return;
    }
    if (this.client !== client) {
      // Stopped meanwhile.
      await client.end().catch(() => undefined);
      return;
    }
    this.live = true;
    this.retryInMs = RECONNECT_MIN_MS;
    // Changes committed while nobody listened were never announced.
    this.listener?.unsure();
  }

  private lost(client: Client, error?: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    const wasLive = this.live;
    this.live = false;
    client.end().catch(() => undefined);
    if (this.stopped) return;
    if (wasLive) this.listener?.unsure();
    // Once per outage (listening resets the backoff), not once per retry.
    if (this.retryInMs === RECONNECT_MIN_MS) {
      this.logger.warn({ err: error?.message ?? 'connection ended', msg: 'not hearing eligibility changes; every send re-reads its reader until listening again' });
    }
    this.retryTimer = setTimeout(() => void this.connect(), this.retryInMs);
    this.retryInMs = Math.min(this.retryInMs * 2, RECONNECT_MAX_MS);
  }
}
