import { Injectable } from '@nestjs/common';

/** "New rows are committed": the outbox tells its worker without the writers knowing the worker. */
@Injectable()
export class OutboxSignal {
  private listener: () => void = () => undefined;

  onQueued(listener: () => void): void {
    this.listener = listener;
  }

  queued(): void {
    this.listener();
  }
}
