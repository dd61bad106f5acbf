import { withSessionTimeouts } from './database-url';

describe(withSessionTimeouts.name, () => {
  const sut = withSessionTimeouts;
  const options = (url: string) => new URL(url).searchParams.get('options');

  it('adds statement and lock timeouts as libpq options, keeping the rest of the URL', () => {
    const url = sut('postgresql://app:s3cret@db.internal:5432/dispatch?sslmode=require', { statementMs: 30_000, lockMs: 10_000 });
    expect(options(url)).toBe('-c statement_timeout=30000 -c lock_timeout=10000');
    expect(url).toMatch(/^postgresql:\/\/app:s3cret@db\.internal:5432\/dispatch\?/);
    expect(new URL(url).searchParams.get('sslmode')).toBe('require');
  });

  it("puts the URL's own options after ours, so its settings win", () => {
    const url = sut('postgresql://postgres@127.0.0.1/dispatch?options=-c%20statement_timeout%3D5000', { statementMs: 30_000, lockMs: 10_000 });
    expect(options(url)).toBe('-c statement_timeout=30000 -c lock_timeout=10000 -c statement_timeout=5000');
  });
});
