import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import mjml2html from 'mjml';
import { createTransport } from 'nodemailer';
import { brandTokens } from '../../src/mail/brand';
import { CompiledTemplate } from '../../src/mail/compiled-template';
import { DigestEmailData } from '../../src/mail/email-data';
import { digestEmail } from '../../src/mail/emails/digest-email';
import { TEMPLATES_DIR } from '../../src/mail/mail.module';
import { TEMPLATE_FILES } from '../../src/mail/mjml-compiler';
import { ownCpuSeconds } from '../support/process-cpu';
import { wallClock } from '../support/bench-result';
import { CountingSink } from '../support/counting-sink';

export interface NaiveEmail {
  to: string;
  messageId: string;
  data: DigestEmailData;
}

export interface NaiveResult {
  digests: number;
  seconds: number;
  /** This process plus the sink. */
  cpuSeconds: number;
  /** Time inside mjml2html alone. */
  mjmlSeconds: number;
}

/**
 * The same digest template as a service without our compile-once renderer would use
 * it: the MJML source is filled with the email's (escaped) values and compiled with
 * mjml2html for every email, then handed to stock nodemailer (its own MIME build,
 * pooled sendMail) — the usual "template engine + MJML + nodemailer" stack.
 */
export class NaiveDigestPath {
  private readonly template: CompiledTemplate;

  constructor(private readonly siteUrl: string) {
    this.template = CompiledTemplate.parse(digestMjmlSource(), 'naive digest.mjml');
  }

  async send(emails: readonly NaiveEmail[], sink: CountingSink, from: string, concurrency: number): Promise<NaiveResult> {
    const transport = createTransport({ pool: true, host: '127.0.0.1', port: sink.port, secure: false, ignoreTLS: true, maxConnections: concurrency });
    const sinkBefore = await sink.reset();
    const cpuBefore = ownCpuSeconds();
    const started = wallClock();
    let mjmlMs = 0;
    let next = 0;
    const lane = async () => {
      while (next < emails.length) {
        const email = emails[next++];
        const content = digestEmail(email.data, { siteUrl: this.siteUrl });
        const mjmlStarted = wallClock();
        const { html } = await mjml2html(this.template.fill(content.layout, content.scope));
        mjmlMs += wallClock() - mjmlStarted;
        await transport.sendMail({
          from,
          to: email.to,
          subject: content.subject,
          messageId: email.messageId,
          html,
          text: content.text,
          headers: {
            'List-Unsubscribe': `<${email.data.unsubscribeUrl}>`,
            'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          },
        });
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
    const sinkAfter = await sink.waitFor(emails.length, 60_000);
    const seconds = (sinkAfter.last - started) / 1000;
    const cpuSeconds = ownCpuSeconds() - cpuBefore + (sinkAfter.cpuSeconds - sinkBefore.cpuSeconds);
    transport.close();
    return { digests: emails.length, seconds, cpuSeconds, mjmlSeconds: mjmlMs / 1000 };
  }
}

/** layout + digest + partials as one MJML document, brand tokens in, comments out: what the renderer compiles once. */
function digestMjmlSource(): string {
  const read = (file: string) => readFileSync(join(TEMPLATES_DIR, file), 'utf8');
  const tokens = brandTokens();
  const email = read(TEMPLATE_FILES.emails.digest).replace(/<mj-include path="\.\/([^"]+)"\s*\/>/g, (_include, path: string) => read(path));
  return read(TEMPLATE_FILES.layout)
    .replace('<dispatch-email-content />', () => email)
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/\[\[\s*([\w.]+)\s*\]\]/g, (token, name: string) => {
      const value = tokens.get(name);
      if (value === undefined) throw new Error(`unknown brand token ${token}`);
      return value;
    });
}
