import { BatchDeadlineExceeded, withHeartbeats } from './heartbeats';

describe(withHeartbeats.name, () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('heartbeats while the work runs and returns its result', async () => {
    const payload = { heartbeat: jest.fn(async () => undefined) };
    const done = withHeartbeats(payload, { intervalMs: 1_000, deadlineMs: 10_000 }, () => new Promise((resolve) => setTimeout(() => resolve('stored'), 3_500)));
    await jest.advanceTimersByTimeAsync(3_500);
    await expect(done).resolves.toBe('stored');
    expect(payload.heartbeat).toHaveBeenCalledTimes(3);
  });

  it('fails the step at its deadline and stops heartbeating', async () => {
    const payload = { heartbeat: jest.fn(async () => undefined) };
    const done = withHeartbeats(payload, { intervalMs: 1_000, deadlineMs: 5_000 }, () => new Promise(() => undefined));
    const failed = expect(done).rejects.toBeInstanceOf(BatchDeadlineExceeded);
    await jest.advanceTimersByTimeAsync(5_000);
    await failed;
    const beats = payload.heartbeat.mock.calls.length;
    await jest.advanceTimersByTimeAsync(10_000);
    expect(payload.heartbeat.mock.calls.length).toBe(beats);
  });

  it('passes a failure of the work through', async () => {
    const payload = { heartbeat: jest.fn(async () => undefined) };
    await expect(withHeartbeats(payload, { intervalMs: 1_000, deadlineMs: 5_000 }, async () => Promise.reject(new Error('lock timeout')))).rejects.toThrow('lock timeout');
  });
});
