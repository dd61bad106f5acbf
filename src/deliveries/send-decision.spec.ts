import { decidePush, decideSend, DecidedRow } from './send-decision';
import { MIN_DELAY_MS } from './retry-policy';

const NOW = new Date('2026-12-05T10:00:00Z');
const always = (value: number) => () => value;

function aRow(overrides: Partial<DecidedRow> = {}): DecidedRow {
  return { kind: 'alert', attempts: 1, createdAt: NOW, payload: {}, wasUncertain: false, ...overrides };
}

describe(decideSend.name, () => {
  it('records an accepted email as sent', () => {
    expect(decideSend({ status: 'sent', response: '250 ok' }, aRow(), NOW)).toEqual({ mark: 'sent' });
  });

  it('retries a 4xx reply after a jittered backoff', () => {
    const decision = decideSend({ status: 'transient', error: '451 greylisted' }, aRow(), NOW, always(0));

    expect(decision).toEqual({ mark: 'retry', retryAt: new Date(NOW.getTime() + MIN_DELAY_MS), error: '451 greylisted' });
  });

  it('keeps retrying however many attempts failed while the email is young enough', () => {
    const decision = decideSend({ status: 'transient', error: '451' }, aRow({ attempts: 500, kind: 'confirm' }), NOW, always(1));

    expect(decision.mark).toBe('retry');
  });

  it('gives an email up once the next retry would come after its age limit', () => {
    const sixHoursAgo = new Date(NOW.getTime() - 6 * 60 * 60_000 + 500);
    const decision = decideSend({ status: 'transient', error: '451' }, aRow({ createdAt: sixHoursAgo }), NOW, always(0));

    expect(decision).toMatchObject({ mark: 'failed', suppress: null });
  });

  it('fails a permanent refusal, suppressing a hard bounce at once and counting a soft one', () => {
    expect(decideSend({ status: 'permanent', error: '550 5.1.1', hardBounce: true }, aRow(), NOW)).toMatchObject({ mark: 'failed', suppress: 'hard' });
    expect(decideSend({ status: 'permanent', error: '552 5.2.2', hardBounce: false }, aRow(), NOW)).toMatchObject({ mark: 'failed', suppress: 'soft' });
  });

  it('marks an unknown outcome uncertain, to be resent soon with the same Message-ID', () => {
    const decision = decideSend({ status: 'unknown', error: 'ECONNECTION' }, aRow(), NOW);

    expect(decision).toEqual({ mark: 'uncertain', retryAt: new Date(NOW.getTime() + MIN_DELAY_MS), error: 'ECONNECTION' });
  });

  it('never resends a second time: an unknown outcome of a resend fails the row', () => {
    const decision = decideSend({ status: 'unknown', error: 'ETIMEDOUT' }, aRow({ wasUncertain: true }), NOW);

    expect(decision).toMatchObject({ mark: 'failed', suppress: null });
  });

  it('gives the attempt back when the relay was not reached: nothing was judged', () => {
    expect(decideSend({ status: 'unreachable', error: 'ECONNREFUSED' }, aRow({ attempts: 9 }), NOW)).toEqual({ mark: 'released', error: 'ECONNREFUSED' });
  });
});

describe(decidePush.name, () => {
  const push = (overrides: Partial<DecidedRow> = {}) => aRow({ kind: 'push', ...overrides });

  it('records a push the service took as sent', () => {
    expect(decidePush({ status: 'sent' }, push(), NOW)).toEqual({ mark: 'sent' });
  });

  it('expires the subscription on 404/410', () => {
    expect(decidePush({ status: 'gone', error: 'push service answered 410' }, push(), NOW)).toEqual({ mark: 'expired', error: 'push service answered 410' });
  });

  it('retries after the Retry-After the service gave, within sane bounds', () => {
    const busy = (retryAfterMs: number | null) => decidePush({ status: 'busy', error: '429', retryAfterMs }, push(), NOW, always(0));

    expect(busy(30_000)).toEqual({ mark: 'retry', retryAt: new Date(NOW.getTime() + 30_000), error: '429' });
    expect(busy(0)).toEqual({ mark: 'retry', retryAt: new Date(NOW.getTime() + MIN_DELAY_MS), error: '429' });
    expect(busy(null)).toEqual({ mark: 'retry', retryAt: new Date(NOW.getTime() + MIN_DELAY_MS), error: '429' });
  });

  it('retries an unreachable push service after a backoff instead of pausing the outbox', () => {
    expect(decidePush({ status: 'unreachable', error: 'ECONNREFUSED' }, push(), NOW, always(0))).toMatchObject({ mark: 'retry' });
  });

  it('gives a push up once it is older than its TTL, and fails a refused one at once', () => {
    const old = push({ createdAt: new Date(NOW.getTime() - 60 * 60_000) });
    expect(decidePush({ status: 'busy', error: '503', retryAfterMs: 60_000 }, old, NOW)).toMatchObject({ mark: 'failed', suppress: null });
    expect(decidePush({ status: 'rejected', error: 'push service answered 403' }, push(), NOW)).toEqual({ mark: 'failed', error: 'push service answered 403', suppress: null });
  });
});
