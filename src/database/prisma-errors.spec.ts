import { classifyDatabaseError, describeDatabaseError } from './prisma-errors';

const pgError = (code: string, message = 'error') => Object.assign(new Error(message), { code });

describe(classifyDatabaseError.name, () => {
  const sut = classifyDatabaseError;

  it('waits out a lock or statement timeout: the database is stuck, the data is fine', () => {
    expect(sut(pgError('55P03', 'canceling statement due to lock timeout'))).toBe('unavailable');
    expect(sut(pgError('57014', 'canceling statement due to statement timeout'))).toBe('unavailable');
    expect(sut({ cause: pgError('55P03') })).toBe('unavailable');
  });

  it('retries deadlocks and serialisation failures a few times', () => {
    expect(sut(pgError('40P01'))).toBe('conflict');
    expect(sut(pgError('40001'))).toBe('conflict');
  });

  it('blames the data for anything else', () => {
    expect(sut(pgError('22001', 'value too long'))).toBe('permanent');
  });
});

describe(describeDatabaseError.name, () => {
  it("finds PostgreSQL's words under an empty driver-adapter message", () => {
    const error = Object.assign(new Error(''), { cause: { originalCode: '55P03', originalMessage: 'canceling statement due to lock timeout' } });
    expect(describeDatabaseError(error)).toBe('55P03 canceling statement due to lock timeout');
  });

  it('keeps a plain message to its first line', () => {
    expect(describeDatabaseError(new Error('connection refused\nmore'))).toBe('connection refused');
  });
});
