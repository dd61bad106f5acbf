import { consumerProgress, Standstill } from './consumer-progress';

const LIMIT = 10_000;

function check(previous: Map<number, Standstill>, now: number, partitions: Array<[partition: number, committed: number, end: number]>, assigned = [0, 1]) {
  return consumerProgress({
    previous,
    progress: partitions.map(([partition, committed, end]) => ({ partition, committed, end, lag: end - committed })),
    assigned,
    now,
    stallLimitMs: LIMIT,
  });
}

describe(consumerProgress.name, () => {
  it('reports a held partition whose offset stood still with messages waiting for longer than the limit', () => {
    let state = check(new Map(), 0, [[0, 5, 9]]);
    state = check(state.tracked, LIMIT, [[0, 5, 9]]);
    expect(state.stalled).toEqual([]);
    state = check(state.tracked, LIMIT + 1, [[0, 5, 12]]);
    expect(state.stalled).toEqual([{ partition: 0, lag: 7, stalledMs: LIMIT + 1 }]);
  });

  it('starts the clock again whenever the offset moves', () => {
    let state = check(new Map(), 0, [[0, 5, 9]]);
    state = check(state.tracked, 8_000, [[0, 6, 9]]);
    state = check(state.tracked, 16_000, [[0, 6, 9]]);
    expect(state.stalled).toEqual([]);
  });

  it('never calls a quiet partition stalled when a message arrives after a long calm', () => {
    let state = check(new Map(), 0, [[0, 5, 5]]);
    state = check(state.tracked, 60_000, [[0, 5, 6]]);
    expect(state.stalled).toEqual([]);
  });

  it('leaves partitions other members hold to their own health', () => {
    let state = check(new Map(), 0, [[1, 0, 3]], [0]);
    state = check(state.tracked, 60_000, [[1, 0, 3]], [0]);
    expect(state.stalled).toEqual([]);
  });
});
