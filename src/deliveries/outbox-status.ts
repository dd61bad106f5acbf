import { Injectable } from '@nestjs/common';
import { OutboxBreaker, PauseState } from './outbox-breaker';

/** Whether the outbox is sending or paused, for /health and the metrics: the worker's breaker, read-only outside. */
@Injectable()
export class OutboxStatus {
  readonly breaker = new OutboxBreaker();

  get paused(): PauseState | null {
    return this.breaker.paused;
  }
}
