import fc from 'fast-check';
import { startTestApp, TestApp } from '../support/app';
import {
  aReaderRow,
  anAddress,
  BROWSER_ACCEPT,
  editorAuth,
  FORM_TYPE,
  freshIp,
  isErrorBody,
  JSON_TYPE,
  RawRequest,
  RawResponse,
  SeededReader,
  sendRaw,
  tokenFor,
} from './support';

// Issue 8 "hostile input": every body and query parameter of every endpoint, fed
// fast-check junk — wrong types, huge strings, nested objects, prototype-pollution
// keys, broken percent-encoding and UTF-8, repeated parameters — must be answered
// 4xx (or 2xx where a generator can make valid input; where it makes only junk,
// nothing but a 4xx), never 5xx; JSON endpoints must answer errors in the contract's
// {"statusCode","error","message"} shape; and no fuzzed call may move a schedule.

jest.setTimeout(300_000);

/** Bounded so the file stays well under a minute of requests on the shared machine. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 25);

const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\uffff\ufffe',
  '\u202eevil',
  '\r\nBcc: victim@example.com',
  '\u2028\u2029',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '%',
  '%zz',
  '\\',
  'NaN',
  'Infinity',
  '-0',
  '1e400',
  '9'.repeat(400),
  'x'.repeat(5_000),
  '🏳️‍🌈',
  'e\u0301',
  '=?utf-8?q?=0D=0ABcc:_x@example.com?=',
  '2026-02-30T25:61:00Z',
  '../../etc/passwd',
];

/** Percent-encoded sequences that do not decode to valid UTF-8, or do not decode at all. */
const BROKEN_ENCODINGS = ['%', '%zz', '%ED%A0%80', '%C0%AF', '%FF%FE', '%E2%82', '%00', '%0D%0A', '%25', '%2', '%%', '%u0041', '+%2B+'];

const nastyString = fc.constantFrom(...NASTY_STRINGS);
const junkString = fc.oneof(
  { weight: 3, arbitrary: nastyString },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
);

const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype', '__defineGetter__', 'toString', 'valueOf'];

/** Any JSON value, biased towards the shapes validators trip over; objects may carry own __proto__ keys. */
function jsonJunk(fieldNames: readonly string[]): fc.Arbitrary<unknown> {
  const key = fc.oneof(fc.constantFrom(...fieldNames, ...POLLUTION_KEYS), junkString);
  const { value } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      junkString,
      fc.integer(),
      fc.constantFrom(0, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 31, true, false, null),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.array(tie('value'), { maxLength: 4 }),
      // Object.fromEntries defines __proto__ as an own key, as JSON.parse would.
      fc.array(fc.tuple(key, tie('value')), { maxLength: 4 }).map((entries) => Object.fromEntries(entries)),
    ),
  }));
  return value;
}

/** A valid-looking body with some fields replaced or added: the junk reaches the validators, not just the parser. */
function mutatedBody(valid: Record<string, unknown>): fc.Arbitrary<unknown> {
  const fields = Object.keys(valid);
  return fc
    .tuple(fc.subarray(fields), fc.array(fc.tuple(fc.constantFrom(...fields, ...POLLUTION_KEYS), jsonJunk(fields)), { maxLength: 3 }))
    .map(([kept, replaced]) => Object.fromEntries([...kept.map((field) => [field, valid[field]] as const), ...replaced]));
}

interface BodyCase {
  contentType: string;
  body: string | Buffer;
}

const DEEP = 5_000;

/** Bodies that are not JSON, or not the JSON they claim to be. */
const rawBodies: fc.Arbitrary<BodyCase> = fc.oneof(
  fc.constantFrom<BodyCase>(
    { contentType: 'application/json', body: '' },
    { contentType: 'application/json', body: '{"email":' },
    { contentType: 'application/json', body: 'null' },
    { contentType: 'application/json', body: '"just a string"' },
    { contentType: 'application/json', body: '[1,2,3]' },
    { contentType: 'application/json', body: '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}' },
    { contentType: 'application/json', body: '{"a":1,"a":2,"__proto__":1,"__proto__":[]}' },
    { contentType: 'application/json', body: `${'['.repeat(DEEP)}${']'.repeat(DEEP)}` },
    { contentType: 'application/json', body: `${'{"a":'.repeat(DEEP)}1${'}'.repeat(DEEP)}` },
    { contentType: 'application/json', body: Buffer.from([0x7b, 0x22, 0x65, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0xff, 0x22, 0x7d]) },
    { contentType: 'application/json', body: JSON.stringify({ email: 'x'.repeat(300_000) }) },
    { contentType: 'application/json; charset=utf-16', body: '{"email":"a@example.com"}' },
    { contentType: 'application/json; charset=klingon', body: '{}' },
    { contentType: 'application/x-www-form-urlencoded', body: 'email=%ED%A0%80&tags[]=a&tags[__proto__][x]=1&%zz=%' },
    { contentType: 'application/x-www-form-urlencoded', body: `tags=${'a,'.repeat(40_000)}` },
    { contentType: 'multipart/form-data; boundary=x', body: '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\na@b\r\n--x--' },
    { contentType: 'multipart/form-data', body: 'garbage' },
    { contentType: 'text/plain', body: 'email=a@example.com' },
    { contentType: 'application/xml', body: '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>' },
  ),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => ({ contentType: 'application/json', body: Buffer.from(bytes) })),
  fc.string({ unit: 'binary', maxLength: 200 }).map((text) => ({ contentType: 'application/json', body: text })),
  fc.array(fc.tuple(junkString, junkString), { maxLength: 5 }).map((pairs) => ({
    contentType: 'application/x-www-form-urlencoded',
    body: pairs.map(([key, value]) => `${queryEncode(key)}=${queryEncode(value)}`).join('&'),
  })),
);

/** Percent-encodes a string for a query, keeping lone surrogates as the broken bytes a client might send. */
function queryEncode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return text.replace(/[\ud800-\udfff]/g, '%ED%A0%80');
  }
}

/** Query strings of known and unknown parameters, repeated, nested, broken. */
function junkQuery(params: readonly string[]): fc.Arbitrary<string> {
  const key = fc.oneof(
    fc.constantFrom(...params),
    fc.constantFrom(...params.map((param) => `${param}[]`), ...params.map((param) => `${param}[x]`), '__proto__', '__proto__[polluted]', 'constructor[prototype][polluted]'),
    junkString.map(queryEncode),
  );
  const value = fc.oneof(junkString.map(queryEncode), fc.constantFrom(...BROKEN_ENCODINGS), fc.constant(''));
  const pair = fc.oneof(fc.tuple(key, value).map(([k, v]) => `${k}=${v}`), key);
  return fc.array(pair, { maxLength: 6 }).map((pairs) => pairs.join('&'));
}

interface Endpoint {
  name: string;
  /**
   * How errors must be answered: `json` always in the contract's shape; `mixed` as a
   * page for forms and browsers, in the contract's shape for a JSON body or client;
   * `page` always HTML (the links readers open from their email).
   */
  errors: 'json' | 'mixed' | 'page';
  /** `junk`: every request generated is invalid, so only a 4xx will do; `any`: some may be valid (2xx allowed). */
  input: 'junk' | 'any';
  requests: fc.Arbitrary<RawRequest>;
}

describe('HTTP fuzzing: junk in, 4xx out, never 5xx', () => {
  let app: TestApp;
  let reader: SeededReader;
  /** Due for a digest: no fuzzed request may move its schedule (a run accepted for junk would). */
  let scheduled: SeededReader;
  const scheduledAt = new Date(Date.now() - 60 * 60_000);
  const articleId = 'fuzz-target-article';
  const seen: string[] = [];

  beforeAll(async () => {
    app = await startTestApp({ env: { DIGEST_TICK_CRON: '0 0 1 1 *' } });
    reader = await aReaderRow(app.prisma, { status: 'confirmed', tags: ['news'] });
    scheduled = await aReaderRow(app.prisma, { status: 'confirmed', tags: ['news'], nextDigestAt: scheduledAt });
    await app.prisma.article.create({
      data: { id: articleId, title: 'A story', url: 'https://news.example.com/a', tags: ['news'], publishedAt: new Date() },
    });
  });

  afterAll(async () => {
    if (seen.length > 0) process.stdout.write(`http fuzz, statuses seen: ${summarise(seen)}\n`);
    await app?.close();
  });

  function summarise(statuses: string[]): string {
    const counts = new Map<string, number>();
    for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1);
    return [...counts].map(([status, n]) => `${status}×${n}`).join(' ');
  }

  const validSubscription = () => ({ email: anAddress('fuzz'), tags: ['news'], frequency: 'daily', sendHour: 7, timezone: 'Europe/Paris', weekday: 'monday' });
  const validPreferences = { tags: ['news'], frequency: 'weekly', sendHour: 9, timezone: 'UTC', weekday: 'friday' };
  const validAlert = { articleId, tags: ['news'], resend: false };

  function jsonBodies(valid: () => Record<string, unknown>): fc.Arbitrary<BodyCase> {
    const fields = Object.keys(valid());
    return fc.oneof(
      { weight: 3, arbitrary: fc.constant(null).chain(() => mutatedBody(valid())).map((body) => ({ contentType: 'application/json', body: JSON.stringify(body) ?? 'null' })) },
      { weight: 2, arbitrary: jsonJunk(fields).map((body) => ({ contentType: 'application/json', body: JSON.stringify(body) ?? 'null' })) },
      { weight: 2, arbitrary: rawBodies },
    );
  }

  function posts(path: () => string, valid: () => Record<string, unknown>, headers: Record<string, string> = {}): fc.Arbitrary<RawRequest> {
    return fc.tuple(jsonBodies(valid), fc.boolean()).map(([{ contentType, body }, asBrowser]) => ({
      method: 'POST',
      path: path(),
      headers: { ...headers, 'content-type': contentType, ...(asBrowser ? BROWSER_ACCEPT : {}) },
      body,
      from: freshIp(),
    }));
  }

  function gets(path: string, params: readonly string[], headers: Record<string, string> = {}): fc.Arbitrary<RawRequest> {
    return junkQuery(params).map((query) => ({ path: `${path}?${query}`, headers, from: freshIp() }));
  }

  const junkToken = fc.oneof(junkString.map(queryEncode), fc.constantFrom(...BROKEN_ENCODINGS));

  /**
   * POST /digests/run bodies that are all invalid: an `at` that is no instant, one more
   * than 7 days ahead, an unknown field, or no JSON object. (An empty body means "now",
   * a valid run, so it is not generated here.)
   */
  const farFuture = fc.date({ min: new Date(Date.now() + 8 * 24 * 60 * 60_000), max: new Date('2999-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
  const junkRunBody: fc.Arbitrary<string> = fc.oneof(
    farFuture.map((at) => JSON.stringify({ at })),
    junkString.filter((at) => !/^\d{4}-\d{2}-\d{2}T/.test(at)).map((at) => JSON.stringify({ at })),
    jsonJunk(['at']).filter((at) => typeof at !== 'string' && at !== undefined).map((at) => JSON.stringify({ at })),
    fc.tuple(fc.constantFrom(...POLLUTION_KEYS, 'when', 'At', 'force'), jsonJunk(['at'])).map(([key, junk]) => `{"at":"2026-11-24T07:00:00Z",${JSON.stringify(key)}:${JSON.stringify(junk) ?? 'null'}}`),
    fc.constantFrom('{"at":', '[1,2,3]', '"2026-11-24T07:00:00Z"', '{"at":"2099-01-01T07:00:00Z"}', '{"at":"2026-11-24"}', '{"at":"2026-11-24T07:00:00"}'),
  );

  function endpoints(): Endpoint[] {
    const preferencesToken = () => tokenFor(app, 'preferences', reader);
    return [
      { name: 'POST /subscriptions', errors: 'mixed', input: 'any', requests: posts(() => '/subscriptions', validSubscription) },
      { name: 'POST /preferences?token=valid', errors: 'mixed', input: 'any', requests: posts(() => `/preferences?token=${preferencesToken()}`, () => validPreferences) },
      {
        name: 'POST /preferences?token=junk',
        errors: 'mixed',
        input: 'junk',
        requests: fc.tuple(junkToken, posts(() => '', () => validPreferences)).map(([token, r]) => ({ ...r, path: `/preferences?token=${token}` })),
      },
      { name: 'GET /preferences?token=', errors: 'page', input: 'junk', requests: gets('/preferences', ['token']) },
      { name: 'GET /unsubscribe?token=', errors: 'page', input: 'junk', requests: gets('/unsubscribe', ['token']) },
      {
        name: 'POST /unsubscribe?token=junk',
        errors: 'mixed',
        input: 'junk',
        requests: fc.tuple(junkToken, rawBodies).map(([token, { contentType, body }]) => ({ method: 'POST', path: `/unsubscribe?token=${token}`, headers: { 'content-type': contentType }, body, from: freshIp() })),
      },
      { name: 'GET /subscriptions/confirm?token=', errors: 'page', input: 'junk', requests: gets('/subscriptions/confirm', ['token']) },
      { name: 'POST /alerts', errors: 'json', input: 'any', requests: posts(() => '/alerts', () => validAlert, editorAuth) },
      {
        name: 'POST /alerts (inline article)',
        errors: 'json',
        input: 'any',
        requests: mutatedArticle().map((article) => ({
          method: 'POST',
          path: '/alerts',
          headers: { ...editorAuth, ...JSON_TYPE },
          body: JSON.stringify({ article, tags: ['nobody-reads-this'] }),
          from: freshIp(),
        })),
      },
      {
        name: 'GET /alerts/:id',
        errors: 'json',
        input: 'junk',
        requests: fc.oneof(junkString.map(queryEncode), fc.constantFrom(...BROKEN_ENCODINGS)).map((id) => ({ path: `/alerts/${id.replace(/\//g, '%2F')}`, headers: editorAuth })),
      },
      {
        name: 'DELETE /alerts/:id',
        errors: 'json',
        input: 'junk',
        requests: fc.oneof(junkString.map(queryEncode), fc.constantFrom(...BROKEN_ENCODINGS)).map((id) => ({ method: 'DELETE', path: `/alerts/${id.replace(/\//g, '%2F')}`, headers: editorAuth })),
      },
      { name: 'GET /alerts/preview', errors: 'json', input: 'any', requests: gets('/alerts/preview', ['articleId', 'tags'], editorAuth) },
      {
        name: 'POST /digests/run',
        errors: 'json',
        input: 'junk',
        requests: junkRunBody.map((body) => ({ method: 'POST', path: '/digests/run', headers: { ...editorAuth, ...JSON_TYPE }, body, from: freshIp() })),
      },
      { name: 'GET /digests/preview', errors: 'json', input: 'any', requests: gets('/digests/preview', ['email', 'at'], editorAuth) },
      { name: 'GET /articles/search', errors: 'json', input: 'any', requests: gets('/articles/search', ['q', 'limit'], editorAuth) },
      { name: 'GET /tags', errors: 'json', input: 'any', requests: gets('/tags', ['tag', 'limit']) },
      { name: 'GET /editor', errors: 'page', input: 'any', requests: gets('/editor', ['key', 'v']) },
    ];
  }

  /** An article event with some fields junk: POST /alerts upserts it, so the junk reaches the database. */
  function mutatedArticle(): fc.Arbitrary<unknown> {
    const valid = {
      id: 'fuzz-inline',
      title: 'Inline',
      url: 'https://news.example.com/inline',
      summary: 'S',
      tags: ['nobody-reads-this'],
      publishedAt: '2026-11-23T09:00:00Z',
      author: 'A',
      imageUrl: 'https://news.example.com/i.jpg',
      breaking: true,
    };
    // One field at a time, with a string most of the time: that is what gets past the type checks.
    return fc
      .tuple(fc.constantFrom(...Object.keys(valid)), fc.oneof({ weight: 4, arbitrary: junkString }, { weight: 1, arbitrary: jsonJunk(Object.keys(valid)) }))
      .map(([field, junk]) => ({ ...valid, id: field === 'id' ? junk : `fuzz-inline-${Math.random().toString(36).slice(2, 8)}`, [field]: junk }));
  }

  function check(endpoint: Endpoint, request: RawRequest, response: RawResponse): void {
    seen.push(String(response.status));
    const where = `${endpoint.name}: ${request.method ?? 'GET'} ${request.path.slice(0, 300)} [${String(request.headers?.['content-type'] ?? '')}] ${String(request.body ?? '').slice(0, 300)}`;
    if (response.status >= 500 || response.status < 200) {
      throw new Error(`${response.status} for ${where}\n→ ${response.text.slice(0, 300)}`);
    }
    if (endpoint.input === 'junk' && (response.status < 400 || response.status >= 500)) {
      throw new Error(`${response.status} for junk, not a 4xx: ${where}\n→ ${response.text.slice(0, 300)}`);
    }
    if (response.status < 400) return;
    const answeredJson = /^application\/json/.test(String(response.headers['content-type']));
    const answeredPage = /^text\/html/.test(String(response.headers['content-type']));
    const sentJson = /^application\/json/i.test(String(request.headers?.['content-type'] ?? ''));
    const wantJson = endpoint.errors === 'json' || (endpoint.errors === 'mixed' && sentJson);
    if ((wantJson || answeredJson) && !isErrorBody(response.status, response.text)) {
      throw new Error(`error body not in the contract's shape for ${where}\n→ ${response.status} ${response.text.slice(0, 300)}`);
    }
    if (!answeredJson && !answeredPage) {
      throw new Error(`error neither JSON nor a page for ${where}: ${String(response.headers['content-type'])}`);
    }
  }

  it.each(['POST /subscriptions', 'POST /preferences?token=valid', 'POST /preferences?token=junk', 'GET /preferences?token=',
    'GET /unsubscribe?token=', 'POST /unsubscribe?token=junk', 'GET /subscriptions/confirm?token=', 'POST /alerts', 'POST /alerts (inline article)',
    'GET /alerts/:id', 'DELETE /alerts/:id', 'GET /alerts/preview', 'POST /digests/run', 'GET /digests/preview', 'GET /articles/search', 'GET /tags', 'GET /editor'])(
    '%s',
    async (name) => {
      const endpoint = endpoints().find((candidate) => candidate.name === name);
      if (!endpoint) throw new Error(`no endpoint ${name}`);
      await fc.assert(
        fc.asyncProperty(endpoint.requests, async (request) => {
          check(endpoint, request, await sendRaw(app, request));
        }),
        { numRuns: RUNS, endOnFailure: true },
      );
      // Whatever was accepted, nothing fuzzed may move a reader's digest schedule.
      const after = await app.prisma.subscriber.findUniqueOrThrow({ where: { id: scheduled.id } });
      expect(after.nextDigestAt).toEqual(scheduledAt);
    },
  );

  it('is left unpolluted and working afterwards', async () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
    const health = await sendRaw(app, { path: '/health' });
    expect(health.status).toBe(200);
    const subscribed = await sendRaw(app, { method: 'POST', path: '/subscriptions', headers: JSON_TYPE, body: JSON.stringify({ email: anAddress('after'), tags: ['news'] }), from: freshIp() });
    expect(subscribed.status).toBe(202);
    expect(JSON.parse(subscribed.text)).toEqual({ status: 'pending' });
  });

  it.each([
    ['GET /articles/search with a NUL byte', { path: '/articles/search?q=%00', headers: editorAuth }],
    ['GET /articles/search with an overlong query', { path: `/articles/search?q=${'a'.repeat(10_000)}`, headers: editorAuth }],
    ['GET /alerts/preview with a NUL in the id', { path: '/alerts/preview?articleId=a%00b', headers: editorAuth }],
    ['GET /digests/preview with a NUL in the address', { path: '/digests/preview?email=a%00b%40example.com', headers: editorAuth }],
    ['GET /digests/preview with repeated parameters', { path: '/digests/preview?email=a%40example.com&email=b%40example.com', headers: editorAuth }],
    ['POST /alerts with a NUL in the id', { method: 'POST', path: '/alerts', headers: { ...editorAuth, ...JSON_TYPE }, body: '{"articleId":"a\\u0000b"}' }],
    ['POST /alerts with a lone surrogate in an inline title', {
      method: 'POST', path: '/alerts', headers: { ...editorAuth, ...JSON_TYPE },
      body: JSON.stringify({ article: { id: 'lone-surrogate', title: 'a\ud800b', url: 'https://x.example.com/', tags: ['nobody'], publishedAt: '2026-11-23T09:00:00Z' } }),
    }],
    ['GET /alerts/:id with a broken escape', { path: '/alerts/%E0%A4%A', headers: editorAuth }],
    ['GET /preferences with a repeated token', { path: '/preferences?token=a&token=b' }],
    ['POST /subscriptions with a deeply nested body', { method: 'POST', path: '/subscriptions', headers: JSON_TYPE, body: `{"email":${'['.repeat(DEEP)}${']'.repeat(DEEP)}}` }],
    ['POST /subscriptions as a form with repeated fields', { method: 'POST', path: '/subscriptions', headers: { ...FORM_TYPE, ...BROWSER_ACCEPT }, body: 'email=a%40example.com&email=b%40example.com&sendHour=1&sendHour=2' }],
  ] as [string, RawRequest][])('%s', async (name, request) => {
    const errors = name.startsWith('GET /preferences') ? 'page' : name.includes('as a form') ? 'mixed' : 'json';
    // The digest preview answers "no digest" (200) for any address it holds no reader for, well-formed or not.
    const input = name === 'GET /digests/preview with a NUL in the address' ? 'any' : 'junk';
    const endpoint: Endpoint = { name, errors, input, requests: fc.constant(request) };
    check(endpoint, request, await sendRaw(app, { from: freshIp(), ...request }));
  });
});
