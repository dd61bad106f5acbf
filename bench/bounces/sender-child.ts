import SMTPConnection from 'nodemailer/lib/smtp-connection';

/**
 * Child process of bench/bounces: plays the remote MTAs, sending the DSNs it is given to the
 * bounce listener over `lanes` SMTP sessions, so their CPU is not counted as the service's.
 */
interface Job {
  port: number;
  lanes: number;
  messages: Array<{ to: string; raw: string }>;
}

function open(port: number): Promise<SMTPConnection> {
  const connection = new SMTPConnection({ host: '127.0.0.1', port, ignoreTLS: true, socketTimeout: 60_000 });
  return new Promise((resolve, reject) => {
    connection.once('error', reject);
    connection.connect(() => resolve(connection));
  });
}

function send(connection: SMTPConnection, to: string, raw: string): Promise<void> {
  return new Promise((resolve, reject) => {
    connection.send({ from: '', to: [to] }, Buffer.from(raw), (error) => (error ? reject(error) : resolve()));
  });
}

function reset(connection: SMTPConnection): Promise<void> {
  return new Promise((resolve, reject) => connection.reset((error) => (error ? reject(error) : resolve())));
}

process.once('message', async (job: Job) => {
  let next = 0;
  const lane = async () => {
    const connection = await open(job.port);
    while (next < job.messages.length) {
      const message = job.messages[next++];
      await send(connection, message.to, message.raw);
      await reset(connection);
    }
    connection.quit();
  };
  try {
    await Promise.all(Array.from({ length: job.lanes }, lane));
    process.send?.({ ok: true }, () => process.exit(0));
  } catch (error) {
    process.send?.({ ok: false, error: (error as Error).message }, () => process.exit(1));
  }
});
