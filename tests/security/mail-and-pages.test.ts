import { eventually, startTestApp, TestApp } from '../support/app';
import { produce } from '../support/kafka';
import { ReceivedMail } from '../support/smtp-sink';
import { aReaderRow, anAddress, anArticleEvent, BROWSER_ACCEPT, editorAuth, FORM_TYPE, freshIp, isErrorBody, JSON_TYPE, sendRaw, tokenFor } from './support';

// RELIABILITY.md S1–S3: what an attacker controls — article fields from the CMS or
// a row written around validation, and the address typed into the subscribe form —
// must never add a header or a recipient to an email, nor markup, script, an
// include or a non-http(s) link to an email or a page.

jest.setTimeout(180_000);

const DIGEST_AT = '2026-11-24T07:00:00Z';
/** A weekly (Monday) reader's next digest, after DIGEST_AT: previewed, never sent here. */
const PREVIEW_AT = '2026-11-30T07:00:00Z';

/** Every trick at once: CR/LF header injection, encoded words, markup, script, MJML includes, template syntax. */
const HOSTILE = {
  title: 'Hi\r\nBcc: evil@attacker.test\r\nX-Injected: yes <script>alert(1)</script> =?utf-8?q?=0D=0ABcc:_evil2@attacker.test?= {{x}} {{{raw}}} [[siteName]] <mj-include path="/etc/passwd" />',
  summary: '<img src=x onerror=alert(1)> <a href="javascript:alert(1)">click</a>\r\n<mj-include path="/etc/passwd" /> <mj-raw><script>alert(2)</script></mj-raw> {{x}}',
  author: 'Eve\r\nCc: evil3@attacker.test\u0000\u0085\u2028 =?utf-8?b?DQpCY2M6IGV2aWw0QGF0dGFja2VyLnRlc3Q=?=',
};

/** Headers a Dispatch email may carry (mailparser's lower-case keys); each at most once. */
const ALLOWED_HEADERS = new Set(['from', 'to', 'subject', 'date', 'message-id', 'mime-version', 'content-type', 'list-unsubscribe', 'list-unsubscribe-post', 'list-id', 'feedback-id', 'dkim-signature']);

function expectSafeMail(mail: ReceivedMail, recipient: string): void {
  expect(mail.envelope.to).toEqual([recipient]);
  const keys = mail.headerLines.map((header) => header.key);
  expect(keys.filter((key) => !ALLOWED_HEADERS.has(key))).toEqual([]);
  expect(keys.length).toBe(new Set(keys).size);
  const head = mail.raw.toString('latin1').split('\r\n\r\n')[0];
  expect(head).not.toMatch(/^(bcc|cc|x-injected|reply-to):/im);
  // Every header line is either a header or a folded continuation (starts with white space).
  for (const line of head.split('\r\n')) expect(line).toMatch(/^([\x21-\x39\x3b-\x7e]+:|[ \t])/);
  expect(mail.subject ?? '').not.toMatch(/[\r\n]/);
  expect(mail.headers.get('to')).toMatchObject({ value: [{ address: recipient }] });
  expect(mail.headers.get('cc')).toBeUndefined();
  expect(mail.headers.get('bcc')).toBeUndefined();
  expectSafeHtml(mail.html ?? '');
  expect(`${mail.html}${mail.text}`).not.toMatch(/root:.*:0:0:/);
}

/** The start tags of a document: escaped text never holds a literal "<", so only real markup is looked at. */
function startTags(html: string): string[] {
  return html.match(/<[a-zA-Z][^>]*>/g) ?? [];
}

/** A start tag's attributes, read in order so that text inside a quoted value is never taken for an attribute. */
function attributes(tag: string): { name: string; value: string }[] {
  const body = tag.replace(/^<[a-zA-Z][^\s/>]*/, '').replace(/\/?>$/, '');
  return [...body.matchAll(/([^\s"'=<>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)].map((m) => ({
    name: m[1].toLowerCase(),
    value: m[2] ?? m[3] ?? m[4] ?? '',
  }));
}

const LINK_ATTRIBUTES = new Set(['href', 'src', 'action', 'formaction', 'background', 'poster']);

function linkTargets(tags: string[]): string[] {
  return tags.flatMap((tag) => attributes(tag).filter(({ name }) => LINK_ATTRIBUTES.has(name)).map(({ value }) => value));
}

function handlers(tags: string[]): string[] {
  return tags.filter((tag) => attributes(tag).some(({ name, value }) => name.startsWith('on') || /^\s*javascript:/i.test(value)));
}

/** No element a payload could have made: no script, no event handler, no include, no non-http(s) link. */
function expectSafeHtml(html: string): void {
  const tags = startTags(html);
  expect(tags.filter((tag) => /^<(script|iframe|object|embed|form|img[^>]*src=x)/i.test(tag))).toEqual([]);
  expect(handlers(tags)).toEqual([]);
  expect(html).not.toMatch(/<\/?mj-/i);
  expect(linkTargets(tags).filter((link) => !/^(https?:\/\/|#|cid:)/i.test(link))).toEqual([]);
}

/** Our own pages load their own scripts from /assets; no other script element, handler or non-http(s) link may appear. */
function expectSafePage(html: string): void {
  const tags = startTags(html);
  expect(tags.filter((tag) => /^<script/i.test(tag) && !/\ssrc="\/[^"]*"/.test(tag))).toEqual([]);
  expect(tags.filter((tag) => /^<(object|embed|img[^>]*src=x)/i.test(tag))).toEqual([]);
  // The editor console shows emails in frames that may never run script.
  const frames = tags.filter((tag) => /^<iframe/i.test(tag));
  expect(frames.filter((frame) => !attributes(frame).some(({ name, value }) => name === 'sandbox' && !/allow-scripts/.test(value)))).toEqual([]);
  expect(handlers(tags)).toEqual([]);
  expect(linkTargets(tags).filter((link) => !/^(https?:\/\/|\/|#|\?|data:,$)/i.test(link))).toEqual([]);
}

describe('hostile content in emails and pages (S1, S3)', () => {
  let app: TestApp;
  const alertReader = { email: anAddress('alert-reader'), id: '' };
  const rowAlertReader = { email: anAddress('row-alert-reader'), id: '' };
  const digestReader = { email: anAddress('digest-reader'), id: '' };
  /** Same tags, not due: the editor's preview of what they would get. */
  const previewReader = { email: anAddress('preview-reader'), id: '' };
  let hostileReader: { id: string; email: string; tokenVersion: number };
  const ids = { breaking: 'hostile-breaking', digest: 'hostile-digest', row: 'hostile-row' };

  beforeAll(async () => {
    app = await startTestApp({ env: { DIGEST_TICK_CRON: '0 0 1 1 *' } });
    // Readers not meant for the digest run are due only after it, whatever the date the suite runs on.
    const notDue = new Date(PREVIEW_AT);
    alertReader.id = (await aReaderRow(app.prisma, { email: alertReader.email, tags: ['alertonly'], nextDigestAt: notDue })).id;
    rowAlertReader.id = (await aReaderRow(app.prisma, { email: rowAlertReader.email, tags: ['rowonly'], nextDigestAt: notDue })).id;
    digestReader.id = (await aReaderRow(app.prisma, { email: digestReader.email, tags: ['hostile'], nextDigestAt: new Date(DIGEST_AT) })).id;
    previewReader.id = (
      await aReaderRow(app.prisma, { email: previewReader.email, tags: ['hostile'], confirmedAt: new Date('2026-11-01T00:00:00Z'), nextDigestAt: new Date(PREVIEW_AT) })
    ).id;
    await app.prisma.subscriber.update({ where: { id: previewReader.id }, data: { frequency: 'weekly', weekday: 1 } });
    // A row written around validation (an older version, a manual fix): rendering must not trust it either.
    hostileReader = await aReaderRow(app.prisma, { email: '"><script>alert(1)</script><img src=x onerror=alert(1)>@attacker.test', tags: ['<script>alert(1)</script>', 'news'], nextDigestAt: notDue });
    await app.prisma.article.create({
      data: {
        id: ids.row,
        title: `${HOSTILE.title}\r\nTo: evil5@attacker.test`,
        url: 'javascript:alert(document.cookie)',
        summary: HOSTILE.summary,
        // PostgreSQL cannot store a NUL: the row keeps every other control character.
        author: HOSTILE.author.replace(/\u0000/g, ''),
        imageUrl: 'javascript:alert(1)',
        tags: ['hostile', 'rowonly', '"><img src=x onerror=alert(1)>', 'a\r\nBcc: evil6@attacker.test', '<script>alert(1)</script>'],
        publishedAt: new Date('2026-11-23T10:00:00Z'),
      },
    });
    await produce(app.config.kafka.brokers, app.topics.articles, [
      { key: ids.breaking, value: JSON.stringify(anArticleEvent({ id: ids.breaking, ...HOSTILE, tags: ['alertonly'], breaking: true, imageUrl: 'https://img.example.com/a.jpg' })) },
      { key: ids.digest, value: JSON.stringify(anArticleEvent({ id: ids.digest, ...HOSTILE, tags: ['hostile'], publishedAt: '2026-11-23T09:00:00Z' })) },
    ]);
    await eventually(async () => ((await app.prisma.article.count({ where: { id: { in: [ids.breaking, ids.digest] } } })) === 2 ? true : undefined), 60_000);
  });

  afterAll(async () => {
    await app?.close();
  });

  const mailTo = (address: string) => eventually(async () => app.smtp.messages.find((mail) => mail.envelope.to.includes(address)), 60_000);

  it('stores event text on one line, without control characters', async () => {
    const article = await app.prisma.article.findUniqueOrThrow({ where: { id: ids.breaking } });
    expect(article.title).not.toMatch(/[\r\n\u0000]/);
    expect(article.author).not.toMatch(/[\r\n\u0000\u0085\u2028]/);
  });

  it('sends the breaking alert of a hostile event to its one recipient, with no extra header and escaped text', async () => {
    const mail = await mailTo(alertReader.email);

    expectSafeMail(mail, alertReader.email);
    // The encoded-word look-alike is shown literally, not decoded into a line break.
    expect(mail.subject).toContain('=?utf-8?q?=0D=0ABcc:_evil2@attacker.test?=');
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.html).toContain('{{x}}');
    expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(mail.html).toContain('&lt;mj-include path=&quot;/etc/passwd&quot; /&gt;');
    expect(mail.text).toContain('<script>alert(1)</script>');
  });

  it('sends an alert for a hostile row written around validation just as safely, with no javascript: link', async () => {
    const response = await sendRaw(app, { method: 'POST', path: '/alerts', headers: { ...editorAuth, ...JSON_TYPE }, body: JSON.stringify({ articleId: ids.row, tags: ['rowonly'] }) });
    expect(response.status).toBe(202);

    const mail = await mailTo(rowAlertReader.email);
    expectSafeMail(mail, rowAlertReader.email);
    expect(app.smtp.messages.flatMap((received) => received.envelope.to).filter((to) => /attacker\.test/.test(to))).toEqual([]);
  });

  it('sends a digest of hostile articles with no extra header and escaped text', async () => {
    const response = await sendRaw(app, { method: 'POST', path: '/digests/run', headers: { ...editorAuth, ...JSON_TYPE }, body: JSON.stringify({ at: DIGEST_AT }) });
    expect(response.status).toBe(202);

    const mail = await mailTo(digestReader.email);
    expectSafeMail(mail, digestReader.email);
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.text).toContain('<mj-include path="/etc/passwd" />');
  });

  it('never sent anything to an address an article or a tag named', async () => {
    const recipients = app.smtp.messages.flatMap((mail) => mail.envelope.to);
    expect(recipients.filter((to) => /attacker\.test/.test(to))).toEqual([]);
  });

  it('returns editor previews (alert and digest) with the same escaping', async () => {
    for (const id of [ids.row, ids.breaking]) {
      const preview = await sendRaw(app, { path: `/alerts/preview?articleId=${id}`, headers: editorAuth });
      expect(preview.status).toBe(200);
      const body = JSON.parse(preview.text) as { html: string; subject: string };
      expectSafeHtml(body.html);
      expect(body.subject).not.toMatch(/[\r\n]/);
    }
    const digest = await sendRaw(app, { path: `/digests/preview?email=${encodeURIComponent(previewReader.email)}&at=${encodeURIComponent(PREVIEW_AT)}`, headers: editorAuth });
    expect(digest.status).toBe(200);
    const { html, articles } = JSON.parse(digest.text) as { html: string; articles: string[] };
    expect(articles).toEqual(expect.arrayContaining([ids.digest, ids.row]));
    expectSafeHtml(html);
  });

  it('escapes hostile tags and addresses on the subscribe page, the preference centre and the unsubscribe page', async () => {
    const pages = [
      await sendRaw(app, { path: '/', headers: BROWSER_ACCEPT }),
      await sendRaw(app, { path: `/preferences?token=${tokenFor(app, 'preferences', hostileReader)}`, headers: BROWSER_ACCEPT }),
      await sendRaw(app, { path: `/unsubscribe?token=${tokenFor(app, 'unsubscribe', hostileReader)}`, headers: BROWSER_ACCEPT }),
      await sendRaw(app, { path: '/editor', headers: BROWSER_ACCEPT }),
    ];
    for (const page of pages) {
      expect(page.status).toBe(200);
      expectSafePage(page.text);
    }
    expect(pages[1].text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('lists hostile tags in GET /tags as JSON data, not markup', async () => {
    const response = await sendRaw(app, { path: '/tags' });
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('hostile addresses (S2)', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ env: { DIGEST_TICK_CRON: '0 0 1 1 *' } });
  });

  afterAll(async () => {
    await app?.close();
  });

  const HOSTILE_ADDRESSES: [string, unknown][] = [
    ['a quoted local part with a space', '"a@b x"@example.com'],
    ['a quoted local part', '"a"@example.com'],
    ['a comma list', 'a@example.com, b@example.com'],
    ['a semicolon list', 'a@example.com;b@example.com'],
    ['CR/LF and a Bcc header', 'a@example.com\r\nBcc: b@example.com'],
    ['a bare LF', 'a@example.com\nBcc:b@example.com'],
    ['percent-encoded CR/LF', 'a@example.com%0d%0aBcc:b@example.com'],
    ['a display name', 'Name <a@example.com>'],
    ['angle brackets', '<a@example.com>'],
    ['a comment', 'a(comment)@example.com'],
    ['an encoded word', '=?utf-8?q?a=0D=0A?=@example.com'],
    ['a NUL byte', 'a\u0000@example.com'],
    ['a line separator', 'a\u2028@example.com'],
    ['an IP literal', 'a@[127.0.0.1]'],
    ['a dotless domain', 'a@localhost'],
    ['a space in the domain', 'a@exa mple.com'],
    ['a leading dot', '.a@example.com'],
    ['two dots', 'a..b@example.com'],
    ['1,000 characters', `${'a'.repeat(990)}@example.com`],
    ['a 65-character local part', `${'a'.repeat(65)}@example.com`],
    ['no @', 'example.com'],
    ['two @', 'a@b@example.com'],
    ['an array', ['a@example.com']],
    ['an object', { address: 'a@example.com' }],
    ['a number', 42],
    ['null', null],
  ];

  it.each(HOSTILE_ADDRESSES)('refuses %s with 400, stores nothing and sends nothing (JSON)', async (_, email) => {
    const before = await app.prisma.subscriber.count();
    const response = await sendRaw(app, { method: 'POST', path: '/subscriptions', headers: JSON_TYPE, body: JSON.stringify({ email, tags: ['news'] }), from: freshIp() });

    expect(response.status).toBe(400);
    expect(isErrorBody(400, response.text)).toBe(true);
    expect(JSON.parse(response.text).message).toMatch(/^email: /);
    expect(await app.prisma.subscriber.count()).toBe(before);
  });

  it.each(HOSTILE_ADDRESSES.filter(([, email]) => typeof email === 'string'))('refuses %s with 400 from the form as well', async (_, email) => {
    const before = await app.prisma.subscriber.count();
    const body = new URLSearchParams({ email: email as string, tags: 'news' }).toString();
    const response = await sendRaw(app, { method: 'POST', path: '/subscriptions', headers: { ...FORM_TYPE, ...BROWSER_ACCEPT }, body, from: freshIp() });

    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expectSafePage(response.text);
    expect(await app.prisma.subscriber.count()).toBe(before);
  });

  it('links a confirmation mail to PUBLIC_BASE_URL only, whatever Host or X-Forwarded-Host the request claimed', async () => {
    const email = anAddress('host-header');
    const response = await sendRaw(app, {
      method: 'POST',
      path: '/subscriptions',
      headers: { ...JSON_TYPE, host: 'evil.attacker.test', 'x-forwarded-host': 'evil2.attacker.test', 'x-forwarded-proto': 'javascript', forwarded: 'host=evil3.attacker.test' },
      body: JSON.stringify({ email, tags: ['news'] }),
      from: freshIp(),
    });
    expect(response.status).toBe(202);

    const mail = await eventually(async () => app.smtp.messages.find((received) => received.envelope.to.includes(email)), 60_000);
    const links = [...`${mail.text}\n${mail.html}`.matchAll(/https?:\/\/[^\s"'<>)]+/g)].map((m) => m[0]);
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((link) => /attacker/.test(link))).toEqual([]);
    expect(links.filter((link) => /token=/.test(link) && !link.startsWith(app.url))).toEqual([]);
    expect(mail.raw.toString('latin1')).not.toMatch(/attacker/);
    // Gone before the next test counts mails: this one was meant to arrive.
    app.smtp.reset();
    await app.prisma.delivery.deleteMany();
    await app.prisma.subscriber.deleteMany();
  });

  it('queued no delivery and sent no mail for any of them', async () => {
    // A valid subscribe afterwards: once its mail is in, anything queued before it would be too.
    const marker = anAddress('marker');
    const response = await sendRaw(app, { method: 'POST', path: '/subscriptions', headers: JSON_TYPE, body: JSON.stringify({ email: marker, tags: ['news'] }), from: freshIp() });
    expect(response.status).toBe(202);
    await app.smtp.waitFor(1);

    expect(app.smtp.messages.map((mail) => mail.envelope.to)).toEqual([[marker]]);
    expect(await app.prisma.delivery.count()).toBe(1);
    expect(await app.prisma.subscriber.count()).toBe(1);
  });
});
