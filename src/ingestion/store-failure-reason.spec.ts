import { storeFailureReason } from './store-failure-reason';

/** The shape Prisma 6 gives a query the database refused (seen with the pg adapter). */
function aPrismaError(message: string, cause?: Record<string, unknown>): Error {
  return Object.assign(new Error(message), cause ? { meta: { driverAdapterError: { name: 'DriverAdapterError', cause } } } : {});
}

describe(storeFailureReason.name, () => {
  const sut = storeFailureReason;

  it("gives PostgreSQL's code and message, not Prisma's preamble", () => {
    const error = aPrismaError('\nInvalid `prisma.$queryRaw()` invocation:\n\n\nRaw query failed. Code: `23514`. Message: `new row …`', {
      originalCode: '23514',
      originalMessage: 'new row for relation "Article" violates check constraint "x"',
    });

    expect(sut(error)).toBe('could not be stored: 23514 new row for relation "Article" violates check constraint "x"');
  });

  it("reads the driver adapter's error when it is thrown as is", () => {
    const error = Object.assign(new Error('value too long'), { cause: { originalCode: '22001', originalMessage: 'value too long for type character varying(200)' } });

    expect(sut(error)).toBe('could not be stored: 22001 value too long for type character varying(200)');
  });

  it('falls back to the last line of any other message', () => {
    expect(sut(aPrismaError('\nInvalid `prisma.alert.create()` invocation in\n/app/x.ts:1:1\n\n→ 1 code\nSomething failed.'))).toBe(
      'could not be stored: Something failed.',
    );
    expect(sut('a thrown string')).toBe('could not be stored: a thrown string');
  });

  it('never gives an empty reason', () => {
    expect(sut(new Error('\n\n'))).toBe('could not be stored: unknown error');
  });

  it('keeps the reason to one short line', () => {
    const reason = sut(aPrismaError('x', { originalCode: 'XX000', originalMessage: `bad\r\n${'y'.repeat(2000)}` }));

    expect(reason).not.toMatch(/[\r\n]/);
    expect(reason.length).toBeLessThanOrEqual(500);
  });
});
