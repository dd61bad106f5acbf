import type { PartitionProgress } from '../kafka/kafka-probe';

/** Since when a partition's committed offset has stood still with messages waiting. */
export interface Standstill {
  committed: number;
  lag: number;
  since: number;
}

export interface Stall {
  partition: number;
  lag: number;
  stalledMs: number;
}

/**
 * One health check's view of the consumer's progress, from the broker's offsets:
 * a partition this member holds that has messages waiting and whose committed offset
 * has not moved for longer than a batch can take is stalled. The clock starts when
 * messages are first seen waiting, so a quiet partition is never "stalled since ever".
 */
export function consumerProgress(input: {
  previous: ReadonlyMap<number, Standstill>;
  progress: readonly PartitionProgress[];
  assigned: readonly number[];
  now: number;
  stallLimitMs: number;
}): { tracked: Map<number, Standstill>; stalled: Stall[] } {
  const tracked = new Map<number, Standstill>();
  const stalled: Stall[] = [];
  for (const { partition, committed, lag } of input.progress) {
    const before = input.previous.get(partition);
    const moved = !before || before.committed !== committed || before.lag === 0;
    const since = moved ? input.now : before.since;
    tracked.set(partition, { committed, lag, since });
    const stalledMs = input.now - since;
    if (lag > 0 && stalledMs > input.stallLimitMs && input.assigned.includes(partition)) stalled.push({ partition, lag, stalledMs });
  }
  return { tracked, stalled };
}
