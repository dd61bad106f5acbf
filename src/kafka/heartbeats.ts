import type { EachBatchPayload } from 'kafkajs';

/** A step of a batch handler that ran past its deadline: the batch fails, loudly, instead of heartbeating for ever. */
export class BatchDeadlineExceeded extends Error {
  constructor(readonly deadlineMs: number) {
    super(`batch handler did not finish within its deadline of ${deadlineMs} ms`);
  }
}

/**
 * Runs `work` while heartbeating for it. kafkajs heartbeats only when asked to: a
 * step slower than the session would get the member evicted and its batch
 * redelivered to the same slow step, forever. Heartbeats stop at the deadline, and
 * the step then fails with BatchDeadlineExceeded (what it was doing is left to end
 * on its own: the database's statement timeout ends a stuck query).
 */
export async function withHeartbeats<T>(payload: Pick<EachBatchPayload, 'heartbeat'>, timing: { intervalMs: number; deadlineMs: number }, work: () => Promise<T>): Promise<T> {
  const beating = setInterval(() => void payload.heartbeat().catch(() => undefined), timing.intervalMs);
  let deadline: NodeJS.Timeout | undefined;
  const running = work();
  try {
    return await Promise.race([
      running,
      new Promise<never>((_, reject) => {
        deadline = setTimeout(() => reject(new BatchDeadlineExceeded(timing.deadlineMs)), timing.deadlineMs);
      }),
    ]);
  } finally {
    clearInterval(beating);
    clearTimeout(deadline);
    running.catch(() => undefined);
  }
}
