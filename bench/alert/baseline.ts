import { performance } from 'node:perf_hooks';
import { createTransport } from 'nodemailer';
import { RenderedEmail } from '../../src/mail/email-data';
import { ownCpuSeconds } from '../support/process-cpu';
import { SinkProcess } from './sink-client';

export interface ThroughputResult {
  messages: number;
  seconds: number;
  cpuSeconds: number;
}

/**
 * The baseline the issue names: stock pooled nodemailer, sendMail() per reader with
 * the rendered subject/html/text (nodemailer builds the MIME itself), the same pool
 * size and the same sink, every message handed to the pool at once. No database.
 */
export async function stockNodemailer(sink: SinkProcess, email: RenderedEmail, count: number, poolSize: number): Promise<ThroughputResult> {
  const transport = createTransport({ pool: true, maxConnections: poolSize, maxMessages: Infinity, url: sink.url });
  const run = `b${Date.now().toString(36)}`;
  const cpu = ownCpuSeconds();
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: count }, (_, i) =>
        transport.sendMail({
          from: 'Dispatch <news@bench.test>',
          to: `r${i}@readers.bench`,
          subject: email.subject,
          html: email.html,
          text: email.text,
          messageId: `<baseline.${run}.${i}@bench.test>`,
          headers: {
            'List-Unsubscribe': `<http://localhost:3000/unsubscribe?token=t${i}>`,
            'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          },
        }),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const cpuSeconds = ownCpuSeconds() - cpu;
    await sink.waitFor(`baseline.${run}`, count, 10_000);
    return { messages: count, seconds, cpuSeconds };
  } finally {
    transport.close();
  }
}
