/**
 * The operator CLI's argument grammar, small enough not to need a library:
 * `<command> [positional…] [--flag] [--option value | --option=value]`.
 * Which options a command takes, and whether they carry a value, is declared
 * by the command, so a typo is an error rather than a silently ignored flag.
 */
export interface OptionSpec {
  /** true: `--limit 10`; false: a switch such as `--dry-run`. */
  takesValue: boolean;
}

export interface ParsedArgs {
  positionals: string[];
  options: Map<string, string | true>;
}

export type ParseOutcome = { ok: true; args: ParsedArgs } | { ok: false; error: string };

export function parseArgs(argv: readonly string[], spec: Readonly<Record<string, OptionSpec>>): ParseOutcome {
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const [name, inline] = splitOnce(arg.slice(2), '=');
    const option = spec[name];
    if (!option) return { ok: false, error: `unknown option --${name}` };
    if (!option.takesValue) {
      if (inline !== undefined) return { ok: false, error: `--${name} takes no value` };
      options.set(name, true);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) return { ok: false, error: `--${name} needs a value` };
    options.set(name, value);
  }
  return { ok: true, args: { positionals, options } };
}

/** A whole number option within bounds, or the fallback when absent. */
export function intOption(args: ParsedArgs, name: string, fallback: number, bounds: { min: number; max: number }): number | { error: string } {
  const raw = args.options.get(name);
  if (raw === undefined) return fallback;
  const value = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < bounds.min || value > bounds.max) {
    return { error: `--${name} must be a whole number from ${bounds.min} to ${bounds.max}` };
  }
  return value;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at === -1 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}
