import { intOption, parseArgs } from './argv';

const spec = { limit: { takesValue: true }, 'dry-run': { takesValue: false }, json: { takesValue: false } };

function parsed(argv: string[]) {
  const outcome = parseArgs(argv, spec);
  if (!outcome.ok) throw new Error(outcome.error);
  return outcome.args;
}

describe(parseArgs.name, () => {
  it('separates positionals from switches and valued options in either spelling', () => {
    const sut = parsed(['42', '--dry-run', '--limit', '10', '--json']);
    expect(sut.positionals).toEqual(['42']);
    expect(sut.options).toEqual(new Map<string, string | true>([['dry-run', true], ['limit', '10'], ['json', true]]));
    expect(parsed(['--limit=7']).options.get('limit')).toBe('7');
  });

  it('refuses what the command does not declare instead of ignoring it', () => {
    expect(parseArgs(['--dryrun'], spec)).toEqual({ ok: false, error: 'unknown option --dryrun' });
    expect(parseArgs(['--dry-run=yes'], spec)).toEqual({ ok: false, error: '--dry-run takes no value' });
  });

  it('says when a valued option has no value', () => {
    expect(parseArgs(['--limit'], spec)).toEqual({ ok: false, error: '--limit needs a value' });
    expect(parseArgs(['--limit', '--json'], spec)).toEqual({ ok: false, error: '--limit needs a value' });
  });

  it('takes everything after -- as positionals', () => {
    expect(parsed(['--', '--limit']).positionals).toEqual(['--limit']);
  });
});

describe(intOption.name, () => {
  const bounds = { min: 1, max: 100 };

  it('falls back when the option is absent and reads it when given', () => {
    expect(intOption(parsed([]), 'limit', 50, bounds)).toBe(50);
    expect(intOption(parsed(['--limit', '100']), 'limit', 50, bounds)).toBe(100);
  });

  it.each(['0', '101', '-1', '1.5', 'ten', '1e3'])('refuses %s', (value) => {
    expect(intOption(parsed(['--limit', value]), 'limit', 50, bounds)).toEqual({ error: '--limit must be a whole number from 1 to 100' });
  });
});
