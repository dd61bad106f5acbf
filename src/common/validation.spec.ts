import { z } from 'zod';
import { expected, formatPath, formatZodError, humanErrorMap, parseWith } from './validation';

const failure = (schema: z.ZodType, value: unknown, options?: { error?: typeof humanErrorMap }) => {
  const result = schema.safeParse(value, options);
  if (result.success) throw new Error('expected the parse to fail');
  return result.error;
};

describe(formatZodError.name, () => {
  const sut = formatZodError;
  const schema = z.strictObject({
    sendHour: z.number({ error: expected('an integer from 0 to 23') }).int('must be an integer from 0 to 23'),
    tags: z.array(z.string({ error: expected('a string') })),
    nested: z.object({ url: z.string({ error: expected('a URL') }) }).optional(),
  });

  it('names the field first', () => {
    expect(sut(failure(schema, { sendHour: 7.5, tags: [] }))).toBe('sendHour: must be an integer from 0 to 23');
  });

  it('writes array indexes and nested keys the way API users do', () => {
    expect(sut(failure(schema, { sendHour: 1, tags: ['a', 2], nested: { url: 3 } }))).toBe(
      'tags[1]: must be a string; nested.url: must be a URL',
    );
  });

  it('names each unknown field', () => {
    expect(sut(failure(schema, { sendHour: 1, tags: [], sendhour: 2 }))).toBe('sendhour: is not an allowed field');
  });

  it('uses the root name for an issue about the whole value', () => {
    expect(sut(failure(schema, 'nope'), { root: 'value' })).toMatch(/^value: /);
  });

  it('says "is required" for a missing field', () => {
    expect(sut(failure(schema, { tags: [] }))).toBe('sendHour: is required');
  });

  it('reports one issue per field', () => {
    expect(sut(failure(z.object({ tags: z.array(z.string()).max(2, 'at most 2 tags') }), { tags: 'abc' }, { error: humanErrorMap }))).toBe(
      'tags: must be an array',
    );
  });

  it('caps how many issues it spells out', () => {
    const many = z.object({ a: z.string(), b: z.string(), c: z.string(), d: z.string(), e: z.string() });
    expect(sut(failure(many, {}, { error: humanErrorMap }), { maxIssues: 2 })).toBe(
      'a: is required; b: is required (and 3 more)',
    );
  });

  it('never echoes a long or control-character key in full', () => {
    const hostile = `x\r\nSet-Cookie: ${'y'.repeat(500)}`;
    const message = sut(failure(schema, { sendHour: 1, tags: [], [hostile]: 1 }));
    expect(message).not.toMatch(/[\r\n]/);
    expect(message.length).toBeLessThan(100);
  });

  it('never echoes the offending value', () => {
    const message = sut(failure(schema, { sendHour: 'secret@example.com', tags: [] }));
    expect(message).not.toContain('secret@example.com');
  });
});

describe(humanErrorMap.name, () => {
  const parse = (schema: z.ZodType, value: unknown) => formatZodError(failure(schema, value, { error: humanErrorMap }));

  it.each([
    [z.object({ a: z.string() }), {}, 'a: is required'],
    [z.object({ a: z.string() }), { a: 1 }, 'a: must be a string'],
    [z.object({ a: z.number().int() }), { a: 1.5 }, 'a: must be an integer'],
    [z.object({ a: z.object({}) }), { a: [] }, 'a: must be an object'],
    [z.object({ a: z.string().min(2) }), { a: 'x' }, 'a: must be at least 2 characters'],
    [z.object({ a: z.array(z.number()).max(1) }), { a: [1, 2] }, 'a: must be at most 1 items'],
    [z.object({ a: z.number().max(23) }), { a: 24 }, 'a: must be at most 23'],
    [z.object({ a: z.enum(['daily', 'weekly']) }), { a: 'hourly' }, 'a: must be one of "daily", "weekly"'],
  ])('turns zod defaults into plain messages (%#)', (schema, value, message) => {
    expect(parse(schema, value)).toBe(message);
  });

  it('leaves messages set on the schema alone', () => {
    expect(parse(z.object({ a: z.number().max(23, 'must be an hour') }), { a: 24 })).toBe('a: must be an hour');
  });
});

describe(parseWith.name, () => {
  const schema = z.object({ sendHour: z.number().int().min(0).max(23).default(7) });

  it('returns the parsed data', () => {
    expect(parseWith(schema, {})).toEqual({ ok: true, data: { sendHour: 7 } });
  });

  it('returns one human line on failure', () => {
    expect(parseWith(schema, { sendHour: 'seven' })).toEqual({ ok: false, message: 'sendHour: must be a number' });
  });
});

describe(formatPath.name, () => {
  it.each([
    [[], 'body'],
    [['tags', 3], 'tags[3]'],
    [['article', 'url'], 'article.url'],
    [[0, 'id'], '[0].id'],
  ])('formats %j as %s', (path, text) => {
    expect(formatPath(path as PropertyKey[])).toBe(text);
  });
});
