import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../../scripts/infra/paths';

// RELIABILITY.md S9 and issue 8's "no raw SQL built from strings", "start without
// TOKEN_SECRET in production refused" and "npm audit --omit=dev has no high or
// critical findings": checks on the source tree, the start-up and the dependencies.

jest.setTimeout(120_000);

/** Ways to hand PostgreSQL a string as SQL: the unsafe raw APIs, Prisma.raw, and raw calls given a plain string. */
const RAW_SQL_PATTERNS: [string, RegExp][] = [
  ['$queryRawUnsafe / $executeRawUnsafe', /\$(queryRaw|executeRaw)Unsafe\b/],
  ['Prisma.raw()', /\bPrisma\s*\.\s*raw\s*\(/],
  ['$queryRaw / $executeRaw called with a string instead of a tagged template', /\$(queryRaw|executeRaw)\s*\(\s*[`'"]/],
  ['Prisma.sql called with a string instead of a tagged template', /\bPrisma\s*\.\s*sql\s*\(\s*[`'"]/],
];

/**
 * node-postgres calls (pool.query, client.query, across lines too) whose SQL is not a
 * literal: a template with ${…} in it, or a variable. Only plain strings with $1
 * placeholders and a values array can be checked by reading them.
 */
const PG_QUERY_CALL = /\.query\s*(?:<[^()]*?>)?\s*\(\s*(`(?:[^`\\]|\\.)*`|[A-Za-z_$][\w$.]*\s*[,)])/g;

/**
 * Calls the scan finds and that are known, each with why: the outbox's claim (its two
 * scans differ only by a status literal, spelled into the text so each is planned for
 * its own slice of the index; every value is a parameter), the LISTEN of a
 * constant channel name, and CREATE DATABASE (an identifier can never be a parameter).
 * Each entry names the file and a piece of the call; anything else found fails.
 */
const KNOWN_PG_QUERY_CALLS: [file: string, excerpt: string][] = [
  ['src/deliveries/delivery-leases.repository.ts', 'WITH queued AS (${due('],
  ['src/deliveries/eligibility-watch.ts', 'LISTEN ${ELIGIBILITY_CHANNEL}'],
  ['scripts/db-migrate.ts', 'CREATE DATABASE "${name.replace('],
];

/** Every raw-SQL construct in a source text, as "pattern (line n)". */
function rawSqlFindings(source: string, file = ''): string[] {
  const findings: string[] = [];
  source.split('\n').forEach((line, index) => {
    for (const [name, pattern] of RAW_SQL_PATTERNS) if (pattern.test(line)) findings.push(`${name} (line ${index + 1})`);
  });
  for (const match of source.matchAll(PG_QUERY_CALL)) {
    const argument = match[1];
    const built = argument.startsWith('`') ? argument.includes('${') : true;
    if (!built || KNOWN_PG_QUERY_CALLS.some(([known, excerpt]) => known === file && argument.includes(excerpt))) continue;
    const line = source.slice(0, match.index).split('\n').length;
    findings.push(`pg query() given SQL built at run time (line ${line})`);
  }
  return findings.sort((a, b) => Number(/line (\d+)/.exec(a)?.[1]) - Number(/line (\d+)/.exec(b)?.[1]));
}

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' || entry.name === 'node_modules' ? [] : typeScriptFiles(path);
    return /\.(ts|js)$/.test(entry.name) ? [path] : [];
  });
}

describe('no raw SQL built from strings (S9)', () => {
  it('finds each forbidden construct in a sample, so the scan can fail', () => {
    const sample = [
      'await prisma.$queryRawUnsafe(`SELECT * FROM "Subscriber" WHERE email = \'${email}\'`);',
      'await tx.$executeRawUnsafe(sql);',
      'const where = Prisma.raw(`id = ${id}`);',
      'await prisma.$queryRaw(`SELECT ${column} FROM x`);',
      'await prisma.$queryRaw`SELECT 1 WHERE id = ${id}`;',
      'Prisma.sql`a = ${b}`;',
      'await pool.query(`SELECT * FROM "Subscriber" WHERE email = \'${email}\'`);',
      "await this.prisma.pool.query<Omit<Row, 'id'> & { id: string }>(",
      '  `UPDATE "Delivery" SET "status" = \'${status}\'`, []);',
      'await client.query(sql, values);',
      "await client.query('SELECT 1 WHERE id = $1', [id]);",
      'await pool.query(`SELECT 1`);',
    ].join('\n');
    expect(rawSqlFindings(sample)).toEqual([
      '$queryRawUnsafe / $executeRawUnsafe (line 1)',
      '$queryRawUnsafe / $executeRawUnsafe (line 2)',
      'Prisma.raw() (line 3)',
      '$queryRaw / $executeRaw called with a string instead of a tagged template (line 4)',
      'pg query() given SQL built at run time (line 7)',
      'pg query() given SQL built at run time (line 8)',
      'pg query() given SQL built at run time (line 10)',
    ]);
  });

  it('finds none in src/ or scripts/ (the generated Prisma client aside, which defines them)', () => {
    const files = [...typeScriptFiles(join(REPO_ROOT, 'src')), ...typeScriptFiles(join(REPO_ROOT, 'scripts'))];
    expect(files.length).toBeGreaterThan(50);
    const findings = files.flatMap((file) => rawSqlFindings(readFileSync(file, 'utf8'), relative(REPO_ROOT, file)).map((finding) => `${relative(REPO_ROOT, file)}: ${finding}`));
    expect(findings).toEqual([]);
  });
});

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts src/main.ts the way `npx tsx src/main.ts` would, with only the given environment. */
function startService(env: Record<string, string>, timeoutMs = 90_000): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['src/main.ts'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the service did not exit within ${timeoutMs} ms (it should have refused to start):\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('start-up with bad configuration (S9)', () => {
  it.each<[string, Record<string, string>, RegExp]>([
    ['TOKEN_SECRET missing under NODE_ENV=production', { NODE_ENV: 'production' }, /^Invalid configuration: TOKEN_SECRET .*production/],
    ['TOKEN_SECRET too short under NODE_ENV=production', { NODE_ENV: 'production', TOKEN_SECRET: 'short' }, /^Invalid configuration: TOKEN_SECRET /],
    ['an invalid PORT', { NODE_ENV: 'development', PORT: 'eighty' }, /^Invalid configuration: PORT /],
  ])('refuses %s with one clear line naming the variable, and exit status 1', async (_, env, line) => {
    const exit = await startService(env);

    expect(exit.code).toBe(1);
    const lines = exit.stderr.split('\n').filter((text) => text.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(line);
    expect(exit.stdout.trim()).toBe('');
  });
});

/**
 * The registry's bulk advisory endpoint, asked once while this file loads: a test
 * cannot skip itself once running, and an unreachable endpoint must show up as a
 * named skip, never as a silent pass.
 */
function runAudit(): { vulnerabilities: Record<string, number> } | { unavailable: string } {
  const result = spawnSync('npm', ['audit', '--omit=dev', '--json'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 90_000 });
  if (result.error) return { unavailable: result.error.message };
  try {
    const report = JSON.parse(result.stdout) as { metadata?: { vulnerabilities?: Record<string, number> }; message?: string; statusCode?: number };
    if (report.metadata?.vulnerabilities) return { vulnerabilities: report.metadata.vulnerabilities };
    return { unavailable: report.message ?? `no audit report (status ${report.statusCode ?? "unknown"})` };
  } catch {
    return { unavailable: (result.stderr || result.stdout).split('\n').find((line) => /error/i.test(line)) ?? 'no audit report' };
  }
}

describe('npm audit --omit=dev', () => {
  const audit = runAudit();
  if ('unavailable' in audit) {
    process.stdout.write(`SKIPPED npm audit --omit=dev: the registry's audit endpoint is unreachable here (${audit.unavailable})\n`);
    it.skip(`has no high or critical findings — SKIPPED: the audit endpoint is unreachable here (${audit.unavailable})`, () => undefined);
    return;
  }
  it('has no high or critical findings', () => {
    process.stdout.write(`npm audit --omit=dev: ${JSON.stringify(audit.vulnerabilities)}\n`);
    expect({ high: audit.vulnerabilities.high ?? 0, critical: audit.vulnerabilities.critical ?? 0 }).toEqual({ high: 0, critical: 0 });
  });
});
