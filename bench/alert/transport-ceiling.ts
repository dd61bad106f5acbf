import { performance } from 'node:perf_hooks';
import { RenderedEmail } from '../../src/mail/email-data';
import { buildMessage } from '../../src/mail/mime';
import { SmtpTransport } from '../../src/mail/smtp-transport';
import { DkimSigner } from '../../src/mail/dkim-signer';
import { SigningTransport } from '../../src/mail/signing-transport';
import type { ThroughputResult } from './baseline';
import { ownCpuSeconds } from '../support/process-cpu';
import { SinkProcess } from './sink-client';

/**
 * The ceiling for the service: the service's own SmtpTransport sending pre-built
 * MIME (built per reader, as the worker does) with no database at all, `lanes`
 * sends in flight like the worker. Fan-out cannot beat this; the gap between this
 * row and an alert row is what the outbox costs. With a signer, every message is
 * DKIM-signed first, as the service does when DKIM_* is set.
 */
export async function transportCeiling(sink: SinkProcess, email: RenderedEmail, count: number, poolSize: number, lanes: number, signer?: DkimSigner): Promise<ThroughputResult> {
  const smtp = new SmtpTransport({ url: sink.url, maxConnections: poolSize });
  // Signed as the service signs: the transport every message leaves through.
  const transport = signer ? new SigningTransport(smtp, signer) : smtp;
  const run = `c${Date.now().toString(36)}`;
  const cpu = ownCpuSeconds();
  const started = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      const messageId = `<ceiling.${run}.${i}@bench.test>`;
      const raw = buildMessage({
        from: 'Dispatch <news@bench.test>',
        to: `r${i}@readers.bench`,
        subject: email.subject,
        messageId,
        date: new Date(),
        html: email.html,
        text: email.text,
        headers: { 'List-Unsubscribe': `<http://localhost:3000/unsubscribe?token=t${i}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      });
      const outcome = await transport.send({ from: 'news@bench.test', to: `r${i}@readers.bench` }, raw, messageId);
      if (outcome.status !== 'sent') throw new Error(`ceiling send failed: ${JSON.stringify(outcome)}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: lanes }, lane));
    const seconds = (performance.now() - started) / 1000;
    const cpuSeconds = ownCpuSeconds() - cpu;
    await sink.waitFor(`ceiling.${run}`, count, 10_000);
    return { messages: count, seconds, cpuSeconds };
  } finally {
    await transport.close();
  }
}
