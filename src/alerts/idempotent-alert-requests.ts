import { Injectable, Logger } from '@nestjs/common';
import { AlertRequestKeysRepository, RequestKey } from './alert-request-keys.repository';
import { idempotencyVerdict } from './idempotency';

/** How long a request waits for the first request with its key to answer (a double click) before a 409. */
const WAIT_FOR_FIRST_MS = 5_000;
const POLL_MS = 100;

/** An Idempotency-Key used with another body, or still held by a request that has not answered. */
export class IdempotencyConflictError extends Error {}

export interface AlertAnswer {
  alertId: string;
  recipients: number;
}

/**
 * Idempotency-Key for POST /alerts (CONTRACT.md): the first request with a key does the
 * work and its answer is remembered; the same key with the same body gets that answer
 * again and does nothing; with another body, a conflict. A first request that fails
 * frees its key.
 */
@Injectable()
export class IdempotentAlertRequests {
  private readonly logger = new Logger(IdempotentAlertRequests.name);

  constructor(private readonly keys: AlertRequestKeysRepository) {}

  async run(id: RequestKey, bodyHash: string, work: () => Promise<AlertAnswer>): Promise<AlertAnswer> {
    const deadline = Date.now() + WAIT_FOR_FIRST_MS;
    for (;;) {
      if (await this.keys.claim(id, bodyHash)) return this.first(id, work);
      const remembered = await this.keys.find<AlertAnswer>(id);
      // Released between our claim and this read: the first request failed; try to take the key.
      if (!remembered) continue;
      const verdict = idempotencyVerdict(remembered, bodyHash);
      if (verdict.kind === 'replay') return verdict.response;
      if (verdict.kind === 'conflict') throw new IdempotencyConflictError('Idempotency-Key: already used with a different request body; nothing was sent');
      if (Date.now() > deadline) throw new IdempotencyConflictError('Idempotency-Key: a request with this key is still in progress; try again');
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  private async first(id: RequestKey, work: () => Promise<AlertAnswer>): Promise<AlertAnswer> {
    let answer: AlertAnswer;
    try {
      answer = await work();
    } catch (error) {
      await this.keys.release(id).catch((releaseError: Error) => this.logger.warn({ err: releaseError.message, msg: 'could not free an Idempotency-Key after a failed request' }));
      throw error;
    }
    await this.keys.complete(id, answer.alertId, { alertId: answer.alertId, recipients: answer.recipients });
    return answer;
  }
}
