import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { createTransport } from 'nodemailer';
import { ArticleView, DigestEmailData, RenderedEmail } from '../../src/mail/email-data';
import { buildMessage, MailMessage } from '../../src/mail/mime';
import { compileEmailTemplate } from '../../src/mail/mjml-compiler';
import { TemplateRenderer } from '../../src/mail/template-renderer';
import { aDigest, anAlert, someArticles } from '../../src/mail/testing/mail-builders';
import { aDkimKey } from '../../src/mail/testing/dkim-keys';
import { DkimSigner } from '../../src/mail/dkim-signer';
import { createHash, createPrivateKey, sign } from 'node:crypto';

/**
 * bench/render: the per-email CPU cost of the mail layer, in one process, no I/O.
 * Compares compile-once rendering with MJML per email, and our MIME builder with
 * nodemailer's composer (stream transport, buffered) on the same 10-article digest.
 * DKIM signing (mailauth) with RSA-2048 and Ed25519 keys, against the bare signature.
 * Environment: BENCH_RENDER_ITERATIONS (default 20000), BENCH_RENDER_MJML (default 30).
 */

export type BenchRow = Record<string, string | number>;

const NAME = 'render';
const TEMPLATES = join(__dirname, '..', '..', 'templates');
const SITE = 'https://dispatch.example.com/';

interface Measured {
  perOpUs: number;
  opsPerSecond: number;
}

/**
 * CPU time of this process (not wall time: the machine is shared), best of three
 * rounds after a warm-up.
 */
async function measure(iterations: number, op: (i: number) => unknown): Promise<Measured> {
  for (let i = 0; i < Math.min(iterations, 2_000); i++) await op(i);
  let bestUs = Infinity;
  for (let round = 0; round < 3; round++) {
    const started = process.cpuUsage();
    for (let i = 0; i < iterations; i++) await op(i);
    const used = process.cpuUsage(started);
    bestUs = Math.min(bestUs, (used.user + used.system) / iterations);
  }
  return { perOpUs: bestUs, opsPerSecond: 1e6 / bestUs };
}

function copyArticle(article: ArticleView): ArticleView {
  return {
    id: article.id,
    title: article.title,
    url: article.url,
    summary: article.summary,
    tags: article.tags,
    imageUrl: article.imageUrl,
    publishedAt: article.publishedAt,
    author: article.author,
  };
}

function mimeInput(email: RenderedEmail, i: number): MailMessage {
  return {
    from: 'Dispatch <news@bench.test>',
    to: `r${i}@readers.bench`,
    subject: email.subject,
    messageId: `<digest.r${i}.2026-11-24@bench.test>`,
    date: new Date('2026-11-24T07:00:00Z'),
    html: email.html,
    text: email.text,
    headers: { 'List-Unsubscribe': `<${SITE}unsubscribe?token=t${i}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  };
}

/** Proves the fast path's output is what mailparser (and so a mail client) reads; mailparser gives line breaks as LF. */
async function checkParses(raw: Buffer, expected: MailMessage): Promise<void> {
  const parsed = await simpleParser(raw);
  const lf = (text: string) => text.replace(/\r\n/g, '\n');
  const unsubscribe = parsed.headerLines.find((line) => line.key === 'list-unsubscribe')?.line;
  const ok =
    parsed.messageId === expected.messageId &&
    parsed.subject === expected.subject &&
    parsed.text === lf(expected.text) &&
    parsed.html === lf(expected.html) &&
    unsubscribe === `List-Unsubscribe: ${expected.headers['List-Unsubscribe']}`;
  if (!ok) throw new Error('bench/render: mailparser does not read back what buildMessage wrote');
}

export async function run(): Promise<BenchRow[]> {
  const iterations = Number(process.env.BENCH_RENDER_ITERATIONS ?? 20_000);
  const mjmlIterations = Number(process.env.BENCH_RENDER_MJML ?? 30);
  const renderer = await TemplateRenderer.compile(TEMPLATES, { siteUrl: SITE });
  const digest: DigestEmailData = aDigest({
    articles: someArticles(10),
    more: 4,
    related: someArticles(5, (index) => ({ id: `related-${index + 1}`, title: `Related story ${index + 1}` })),
  });
  const email = renderer.render('digest', digest);
  const alert = anAlert();
  const nodemailer = createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  const sample = mimeInput(email, 0);
  const raw = buildMessage(sample);
  await checkParses(raw, sample);

  const naiveMjml = await measure(mjmlIterations, () => compileEmailTemplate(TEMPLATES, 'digest'));
  const shared = await measure(iterations, () => renderer.render('digest', digest));
  // New ArticleView objects every time: nothing comes from the per-article cache.
  const fresh = await measure(iterations / 4, () =>
    renderer.render('digest', { ...digest, articles: digest.articles.map(copyArticle), related: digest.related.map(copyArticle) }),
  );
  const alertRender = await measure(iterations, () => renderer.render('alert', alert));
  const ours = await measure(iterations, (i) => buildMessage(mimeInput(email, i)));
  const stock = await measure(Math.max(200, iterations / 20), async (i) => {
    const input = mimeInput(email, i);
    await nodemailer.sendMail({ ...input, envelope: { from: 'news@bench.test', to: input.to } });
  });

  // DKIM: the whole signing step (mailauth: header and body canonicalisation, body hash, signature)
  // against the one thing it cannot avoid, the private-key operation over a header block of the same size.
  const rsaKey = aDkimKey('rsa');
  const edKey = aDkimKey('ed25519');
  const rsaSigner = new DkimSigner({ domain: 'bench.test', selector: 's', privateKey: rsaKey.privateKeyPem, algorithm: 'rsa-sha256' });
  const edSigner = new DkimSigner({ domain: 'bench.test', selector: 's', privateKey: edKey.privateKeyPem, algorithm: 'ed25519-sha256' });
  const header = raw.subarray(0, raw.indexOf('\r\n\r\n'));
  const rsaPrivate = createPrivateKey(rsaKey.privateKeyPem);
  const edPrivate = createPrivateKey(edKey.privateKeyPem);
  const signIterations = Math.max(500, iterations / 10);
  const rsaBare = await measure(signIterations, () => sign('sha256', header, rsaPrivate));
  const rsaSigned = await measure(signIterations, (i) => rsaSigner.sign(buildMessage(mimeInput(email, i))));
  const edBare = await measure(signIterations, () => sign(null, createHash('sha256').update(header).digest(), edPrivate));
  const edSigned = await measure(signIterations, (i) => edSigner.sign(buildMessage(mimeInput(email, i))));
  const unsignedMime = ours;

  const us = (m: Measured) => Math.round(m.perOpUs * 10) / 10;
  const rows: BenchRow[] = [
    { step: 'digest: MJML compiled per email (naive)', 'CPU µs/email': us(naiveMjml), 'emails/s/core': Math.round(naiveMjml.opsPerSecond) },
    { step: 'digest: compiled once, fill (shared articles)', 'CPU µs/email': us(shared), 'emails/s/core': Math.round(shared.opsPerSecond) },
    { step: 'digest: compiled once, fill (fresh articles)', 'CPU µs/email': us(fresh), 'emails/s/core': Math.round(fresh.opsPerSecond) },
    { step: 'alert: compiled once, fill', 'CPU µs/email': us(alertRender), 'emails/s/core': Math.round(alertRender.opsPerSecond) },
    { step: 'digest MIME: buildMessage', 'CPU µs/email': us(ours), 'emails/s/core': Math.round(ours.opsPerSecond) },
    { step: 'digest MIME: nodemailer composer', 'CPU µs/email': us(stock), 'emails/s/core': Math.round(stock.opsPerSecond) },
    { step: 'DKIM RSA-2048: the signature alone (crypto.sign over the header)', 'CPU µs/email': us(rsaBare), 'emails/s/core': Math.round(rsaBare.opsPerSecond) },
    { step: 'DKIM RSA-2048: buildMessage + mailauth signing', 'CPU µs/email': us(rsaSigned), 'emails/s/core': Math.round(rsaSigned.opsPerSecond) },
    { step: 'DKIM Ed25519: the signature alone', 'CPU µs/email': us(edBare), 'emails/s/core': Math.round(edBare.opsPerSecond) },
    { step: 'DKIM Ed25519: buildMessage + mailauth signing', 'CPU µs/email': us(edSigned), 'emails/s/core': Math.round(edSigned.opsPerSecond) },
  ];
  const summary = {
    htmlBytes: Buffer.byteLength(email.html),
    textBytes: Buffer.byteLength(email.text),
    mimeBytes: raw.length,
    renderSpeedup: Math.round(naiveMjml.perOpUs / fresh.perOpUs),
    mimeSpeedup: Math.round(stock.perOpUs / ours.perOpUs),
    /** What signing adds per email beyond the unsigned MIME, and that cost over the bare signature (target ≤ 1.1). */
    dkimRsaAddedUs: us({ ...rsaSigned, perOpUs: rsaSigned.perOpUs - unsignedMime.perOpUs }),
    dkimRsaOverSignature: Math.round(((rsaSigned.perOpUs - unsignedMime.perOpUs) / rsaBare.perOpUs) * 100) / 100,
    dkimEd25519AddedUs: us({ ...edSigned, perOpUs: edSigned.perOpUs - unsignedMime.perOpUs }),
    dkimEd25519OverSignature: Math.round(((edSigned.perOpUs - unsignedMime.perOpUs) / edBare.perOpUs) * 100) / 100,
  };
  writeResults({ name: NAME, at: new Date().toISOString(), iterations, rows, summary });
  console.log(
    `digest: ${(summary.htmlBytes / 1024).toFixed(1)} KB HTML, ${(summary.mimeBytes / 1024).toFixed(1)} KB MIME; ` +
      `render ×${summary.renderSpeedup} faster than MJML per email, MIME ×${summary.mimeSpeedup} faster than nodemailer; ` +
      `DKIM adds ${summary.dkimRsaAddedUs} µs (RSA-2048, ${summary.dkimRsaOverSignature}× its bare signature) / ${summary.dkimEd25519AddedUs} µs (Ed25519, ${summary.dkimEd25519OverSignature}×)`,
  );
  return rows;
}

function writeResults(result: object): void {
  const dir = join(__dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${NAME}.json`), `${JSON.stringify(result, null, 2)}\n`);
}
