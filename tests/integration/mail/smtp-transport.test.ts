import { createServer } from 'node:net';
import { join } from 'node:path';
import { buildMessage } from '../../../src/mail/mime';
import { RenderedEmail } from '../../../src/mail/email-data';
import { SmtpTransport } from '../../../src/mail/smtp-transport';
import { TemplateRenderer } from '../../../src/mail/template-renderer';
import { aDigest, anAlert, anArticle, footerLinks, someArticles } from '../../../src/mail/testing/mail-builders';
import { ReceivedMail, SmtpSink, headerValue } from '../../support/smtp-sink';
import { eventually } from '../../support/app';

jest.setTimeout(60_000);

// The mail path end to end over real TCP: templates → MIME → our pool of nodemailer SMTP connections → smtp-server → mailparser.

const TEMPLATES = join(__dirname, '..', '..', '..', 'templates');
const FROM = 'Dispatch <news@dispatch.example.com>';
const READER = 'reader@example.org';
const HOSTILE_TITLE = '<script>alert(1)</script> {{unsubscribeUrl}}\r\nBcc: victim@example.com';

describe(SmtpTransport.name, () => {
  let sink: SmtpSink;
  let renderer: TemplateRenderer;
  let sut: SmtpTransport;

  beforeAll(async () => {
    sink = await SmtpSink.start();
    renderer = await TemplateRenderer.compile(TEMPLATES, { siteUrl: 'https://dispatch.example.com/' });
  });

  beforeEach(() => {
    sink.reset();
    sut = new SmtpTransport({ url: sink.url, maxConnections: 2 });
  });

  afterEach(async () => {
    await sut.close();
  });

  afterAll(async () => {
    await sink?.close();
  });

  const links = footerLinks('r34d3r');
  const mime = (email: RenderedEmail, messageId: string, to = READER) =>
    buildMessage({
      from: FROM,
      to,
      subject: email.subject,
      messageId,
      date: new Date('2026-11-24T07:00:00Z'),
      html: email.html,
      text: email.text,
      headers: { 'List-Unsubscribe': `<${links.unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    });
  const send = (raw: Buffer, messageId: string, to = READER) => sut.send({ from: 'news@dispatch.example.com', to }, raw, messageId);

  function expectEveryEmailBasics(mail: ReceivedMail, messageId: string): void {
    expect(mail.envelope).toEqual({ from: 'news@dispatch.example.com', to: [READER] });
    expect(mail.messageId).toBe(messageId);
    expect(headerValue(mail, 'List-Unsubscribe')).toBe(`<${links.unsubscribeUrl}>`);
    expect(headerValue(mail, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(mail.html).toContain(`href="${links.preferencesUrl}"`);
    expect(mail.html).toContain(`href="${links.unsubscribeUrl}"`);
    expect(mail.text).toContain(`Manage your preferences: ${links.preferencesUrl}`);
    expect(mail.text).toContain(`Unsubscribe: ${links.unsubscribeUrl}`);
  }

  it('delivers a digest with its unsubscribe headers, Message-ID, both parts and a hostile title as text', async () => {
    const articles = [anArticle({ id: 'hostile', title: HOSTILE_TITLE }), ...someArticles(4)];
    const email = renderer.render('digest', aDigest({ ...links, articles }));
    const messageId = '<digest.sub-1.2026-11-24@dispatch.example.com>';

    const outcome = await send(mime(email, messageId), messageId);

    expect(outcome).toEqual({ status: 'sent', response: expect.stringMatching(/^250 /) });
    const [mail] = await sink.waitFor(1);
    expectEveryEmailBasics(mail, messageId);
    expect(mail.subject).toBe(email.subject);
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; {{unsubscribeUrl}} Bcc: victim@example.com');
    expect(mail.html).not.toContain('<script>');
    expect(mail.text).toContain('<script>alert(1)</script> {{unsubscribeUrl}} Bcc: victim@example.com');
    expect(mail.headerLines.map((line) => line.key)).not.toContain('bcc');
  });

  it('delivers a breaking alert whose hostile title cannot add a header or a recipient', async () => {
    const email = renderer.render('alert', anAlert({ ...links, article: anArticle({ title: HOSTILE_TITLE }) }));
    const messageId = '<alert.7.sub-1@dispatch.example.com>';

    const outcome = await send(mime(email, messageId), messageId);

    expect(outcome.status).toBe('sent');
    const [mail] = await sink.waitFor(1);
    expectEveryEmailBasics(mail, messageId);
    expect(mail.subject).toBe('Breaking: <script>alert(1)</script> {{unsubscribeUrl}} Bcc: victim@example.com');
    expect(mail.headerLines.map((line) => line.key)).not.toContain('bcc');
    expect(mail.html).toContain('BREAKING NEWS');
    expect(mail.html).toContain('&lt;script&gt;');
    expect(mail.html).not.toContain('<script>');
  });

  it('reports a 451 as transient and the message is not delivered', async () => {
    sink.failNext(1, 451, '4.7.1 Try again later');
    const messageId = '<alert.8.sub-1@dispatch.example.com>';

    const outcome = await send(mime(renderer.render('alert', anAlert(links)), messageId), messageId);

    expect(outcome).toEqual({ status: 'transient', error: expect.stringContaining('451') });
    expect(sink.messages).toHaveLength(0);
  });

  it('reports 550 5.1.1 for an unknown mailbox as a permanent hard bounce, without the address in the error', async () => {
    const unknown = 'nobody@example.org';
    sink.rejectRecipient(unknown, 550, '5.1.1 <nobody@example.org>: Recipient address rejected: User unknown');
    const messageId = '<alert.9.sub-2@dispatch.example.com>';

    const outcome = await send(mime(renderer.render('alert', anAlert(links)), messageId, unknown), messageId, unknown);

    expect(outcome).toEqual({ status: 'permanent', hardBounce: true, error: expect.stringContaining('550') });
    expect(outcome.status === 'permanent' && outcome.error).not.toContain(unknown);
    expect(sink.messages).toHaveLength(0);
  });

  it('reports 552 (mailbox full) as permanent without a hard bounce', async () => {
    sink.failNext(1, 552, '5.2.2 Mailbox full');
    const messageId = '<alert.10.sub-1@dispatch.example.com>';

    const outcome = await send(mime(renderer.render('alert', anAlert(links)), messageId), messageId);

    expect(outcome).toMatchObject({ status: 'permanent', hardBounce: false });
  });

  it('reports a connection reset mid-DATA as transient, never re-sends it itself, and recovers', async () => {
    sink.dropConnectionMidData(5);
    const dropped = '<alert.11.sub-1@dispatch.example.com>';

    const outcome = await send(mime(renderer.render('alert', anAlert(links)), dropped), dropped);

    expect(outcome).toEqual({ status: 'transient', error: expect.stringContaining('ESOCKET') });
    const drops = sink.events.filter((event) => event.outcome === 'dropped').length;
    // A re-send is the outbox's decision (it may duplicate a message the server kept), never the pool's.
    expect(drops).toBe(1);
    expect(sink.messages).toHaveLength(0);

    sink.dropConnectionMidData(0);
    const next = '<alert.12.sub-1@dispatch.example.com>';
    await expect(send(mime(renderer.render('alert', anAlert(links)), next), next)).resolves.toMatchObject({ status: 'sent' });
    expect((await sink.waitFor(1)).map((mail) => mail.messageId)).toEqual([next]);
  });

  it('sends many messages over its pool, each once', async () => {
    const raws = Array.from({ length: 20 }, (_, index) => {
      const messageId = `<digest.sub-${index}.2026-11-24@dispatch.example.com>`;
      return { messageId, raw: mime(renderer.render('digest', aDigest(links)), messageId) };
    });

    const outcomes = await Promise.all(raws.map(({ raw, messageId }) => send(raw, messageId)));

    expect(outcomes.every((outcome) => outcome.status === 'sent')).toBe(true);
    const received = await sink.waitFor(20);
    expect(new Set(received.map((mail) => mail.messageId))).toEqual(new Set(raws.map(({ messageId }) => messageId)));
  });

  it('sends over at most maxConnections sessions and reuses them', async () => {
    const raws = Array.from({ length: 30 }, (_, index) => {
      const messageId = `<alert.pool-${index}.sub-1@dispatch.example.com>`;
      return { messageId, raw: mime(renderer.render('alert', anAlert(links)), messageId) };
    });

    const outcomes = await Promise.all(raws.map(({ raw, messageId }) => send(raw, messageId)));

    expect(outcomes.filter((outcome) => outcome.status === 'sent')).toHaveLength(30);
    expect(sink.connectionsAccepted).toBe(2);
  });

  it('replaces a session the server ended while it was idle, without failing a message', async () => {
    const first = '<alert.20.sub-1@dispatch.example.com>';
    await expect(send(mime(renderer.render('alert', anAlert(links)), first), first)).resolves.toMatchObject({ status: 'sent' });
    sink.endSessions();
    await eventually(async () => (sink.openConnections === 0 ? true : undefined));

    const second = '<alert.21.sub-1@dispatch.example.com>';
    await expect(send(mime(renderer.render('alert', anAlert(links)), second), second)).resolves.toMatchObject({ status: 'sent' });

    expect((await sink.waitFor(2)).map((mail) => mail.messageId)).toEqual([first, second]);
    expect(sink.connectionsAccepted).toBe(2);
  });

  it('keeps using a session after the server refused one message in it', async () => {
    sink.rejectRecipient('gone@example.org');
    const refused = '<alert.22.sub-1@dispatch.example.com>';
    const accepted = '<alert.23.sub-1@dispatch.example.com>';
    const sutOfOne = new SmtpTransport({ url: sink.url, maxConnections: 1 });
    try {
      const gone = await sutOfOne.send({ from: 'news@dispatch.example.com', to: 'gone@example.org' }, mime(renderer.render('alert', anAlert(links)), refused, 'gone@example.org'), refused);
      const next = await sutOfOne.send({ from: 'news@dispatch.example.com', to: READER }, mime(renderer.render('alert', anAlert(links)), accepted), accepted);

      expect(gone).toMatchObject({ status: 'permanent', hardBounce: true });
      expect(next).toMatchObject({ status: 'sent' });
      expect(sink.connectionsAccepted).toBe(1);
    } finally {
      await sutOfOne.close();
    }
  });

  it('withdraws a message the caller takes back while it waits for the busy connection, and sends the next', async () => {
    const ids = ['<alert.24.sub-1@dispatch.example.com>', '<alert.25.sub-1@dispatch.example.com>', '<alert.26.sub-1@dispatch.example.com>'];
    const [onTheWire, waiting, after] = ids.map((id) => ({ id, raw: mime(renderer.render('alert', anAlert(links)), id) }));
    const sutOfOne = new SmtpTransport({ url: sink.url, maxConnections: 1 });
    sink.delay(300);
    try {
      const envelope = { from: 'news@dispatch.example.com', to: READER };
      let takenBack = false;
      const first = sutOfOne.send(envelope, onTheWire.raw, onTheWire.id, () => false);
      const second = sutOfOne.send(envelope, waiting.raw, waiting.id, () => takenBack);
      const third = sutOfOne.send(envelope, after.raw, after.id);
      takenBack = true;

      expect(await Promise.all([first, second, third])).toEqual([
        { status: 'sent', response: expect.stringMatching(/^250 /) },
        { status: 'withdrawn' },
        { status: 'sent', response: expect.stringMatching(/^250 /) },
      ]);
      expect(sink.messages.map((mail) => mail.messageId)).toEqual([onTheWire.id, after.id]);
      expect(sink.connectionsAccepted).toBe(1);
    } finally {
      await sutOfOne.close();
    }
  });

  it('verifies a reachable server and rejects an unreachable one', async () => {
    await expect(sut.verify()).resolves.toBeUndefined();

    const closedPort = await unusedPort();
    const unreachable = new SmtpTransport({ url: `smtp://127.0.0.1:${closedPort}`, maxConnections: 1, connectionTimeoutMs: 2_000 });
    try {
      await expect(unreachable.verify()).rejects.toThrow();
      const outcome = await unreachable.send({ from: 'news@dispatch.example.com', to: READER }, Buffer.from('x'), '<x@y>');
      // No session: nothing about the message was judged, and the outbox pauses instead of spending its attempt.
      expect(outcome.status).toBe('unreachable');
    } finally {
      await unreachable.close();
    }
  });

  it('finishes a send in flight when closed, then refuses new ones as transient', async () => {
    sink.delay(300);
    const messageId = '<alert.13.sub-1@dispatch.example.com>';
    const inFlight = send(mime(renderer.render('alert', anAlert(links)), messageId), messageId);
    await new Promise((resolve) => setTimeout(resolve, 50));

    await sut.close();

    await expect(inFlight).resolves.toMatchObject({ status: 'sent' });
    await expect(send(Buffer.from('x'), '<late@x>')).resolves.toEqual({ status: 'transient', error: 'SMTP transport is closed' });
  });
});

async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return address.port;
}
